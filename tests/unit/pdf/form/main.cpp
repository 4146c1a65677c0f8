#define BOOST_TEST_MODULE signet_pdf_form
#include <boost/test/unit_test.hpp>
