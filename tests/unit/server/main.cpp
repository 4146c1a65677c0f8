#define BOOST_TEST_MODULE signet_server
#include <boost/test/unit_test.hpp>
