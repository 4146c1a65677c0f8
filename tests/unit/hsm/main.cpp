#define BOOST_TEST_MODULE signet_hsm
#include <boost/test/unit_test.hpp>
