#define BOOST_TEST_MODULE signet_image
#include <boost/test/unit_test.hpp>
