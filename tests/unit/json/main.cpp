#define BOOST_TEST_MODULE signet_json
#include <boost/test/unit_test.hpp>
