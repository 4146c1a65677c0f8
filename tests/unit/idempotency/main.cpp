#define BOOST_TEST_MODULE signet_idempotency
#include <boost/test/unit_test.hpp>
