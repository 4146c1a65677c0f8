#define BOOST_TEST_MODULE signet_persons
#include <boost/test/unit_test.hpp>
