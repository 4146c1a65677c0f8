#define BOOST_TEST_MODULE signet_devpki
#include <boost/test/unit_test.hpp>
