#define BOOST_TEST_MODULE signet_keys
#include <boost/test/unit_test.hpp>
