#define BOOST_TEST_MODULE signet_audit
#include <boost/test/unit_test.hpp>
