#define BOOST_TEST_MODULE signet_register
#include <boost/test/unit_test.hpp>
