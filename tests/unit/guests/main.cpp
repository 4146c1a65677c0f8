#define BOOST_TEST_MODULE signet_guests
#include <boost/test/unit_test.hpp>
