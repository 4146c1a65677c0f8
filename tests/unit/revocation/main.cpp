#define BOOST_TEST_MODULE signet_revocation
#include <boost/test/unit_test.hpp>
