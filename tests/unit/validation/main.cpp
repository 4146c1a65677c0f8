#define BOOST_TEST_MODULE signet_validation
#include <boost/test/unit_test.hpp>
