#define BOOST_TEST_MODULE signet_evidence
#include <boost/test/unit_test.hpp>
