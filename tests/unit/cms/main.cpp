#define BOOST_TEST_MODULE signet_cms
#include <boost/test/unit_test.hpp>
