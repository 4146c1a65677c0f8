#define BOOST_TEST_MODULE signet_policy
#include <boost/test/unit_test.hpp>
