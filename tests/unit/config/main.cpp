#define BOOST_TEST_MODULE signet_config
#include <boost/test/unit_test.hpp>
