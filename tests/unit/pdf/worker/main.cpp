#define BOOST_TEST_MODULE signet_pdf_worker
#include <boost/test/unit_test.hpp>
