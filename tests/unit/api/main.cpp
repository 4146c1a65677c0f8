#define BOOST_TEST_MODULE signet_api
#include <boost/test/unit_test.hpp>
