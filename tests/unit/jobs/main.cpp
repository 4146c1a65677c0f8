#define BOOST_TEST_MODULE signet_jobs
#include <boost/test/unit_test.hpp>
