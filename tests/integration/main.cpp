#define BOOST_TEST_MODULE signet_integration
#include <boost/test/unit_test.hpp>
