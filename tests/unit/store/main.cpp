#define BOOST_TEST_MODULE signet_store
#include <boost/test/unit_test.hpp>
