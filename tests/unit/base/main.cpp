#define BOOST_TEST_MODULE signet_base
#include <boost/test/unit_test.hpp>
