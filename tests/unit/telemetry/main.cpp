#define BOOST_TEST_MODULE signet_telemetry
#include <boost/test/unit_test.hpp>
