#define BOOST_TEST_MODULE signet_pdf_ltv
#include <boost/test/unit_test.hpp>
