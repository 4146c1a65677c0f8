#define BOOST_TEST_MODULE signet_http_client
#include <boost/test/unit_test.hpp>
