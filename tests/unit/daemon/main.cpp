#define BOOST_TEST_MODULE signet_daemon
#include <boost/test/unit_test.hpp>
