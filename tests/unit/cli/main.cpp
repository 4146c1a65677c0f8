#define BOOST_TEST_MODULE signet_cli
#include <boost/test/unit_test.hpp>
