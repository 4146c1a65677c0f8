#define BOOST_TEST_MODULE signet_timestamp
#include <boost/test/unit_test.hpp>
