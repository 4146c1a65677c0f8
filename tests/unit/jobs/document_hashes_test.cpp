// A job's document digests: the same whether a document is hashed on a thread of its own (1 MiB
// and more) or on the job's thread, and each one's prefix state good for the signed file.

#include <boost/test/unit_test.hpp>

#include <random>
#include <vector>

#include "base/base64.hpp"
#include "jobs/key_use.hpp"
#include "tests/support/need.hpp"

namespace {

using namespace signet;
using signet::test::need;

std::vector<std::uint8_t> random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<std::uint8_t> bytes(size);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
    return bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(document_hashes)

BOOST_AUTO_TEST_CASE(large_and_small_documents_get_their_own_digests) {
    // Two large ones (threads of their own), a small one and an empty one (the job's thread).
    const std::vector<std::vector<std::uint8_t>> documents = {
        random_bytes(3 * 1024 * 1024 + 7, 1), random_bytes(100 * 1024, 2), random_bytes(1024 * 1024, 3), {}};
    daemon::DocumentHashes hashes(documents);
    const auto digests = need(hashes.hex());
    BOOST_REQUIRE_EQUAL(digests.size(), documents.size());
    for (std::size_t i = 0; i < documents.size(); ++i) {
        BOOST_TEST(digests[i] == sha256_hex(documents[i]), "document " << i);
        const pdf::PrefixDigest* hashed = need(hashes.get(i));
        BOOST_TEST(hashed->size() == documents[i].size());
        // The state after the document serves for a file that begins with it.
        const std::vector<std::uint8_t> tail = random_bytes(5000, 9);
        std::vector<std::uint8_t> whole = documents[i];
        whole.insert(whole.end(), tail.begin(), tail.end());
        BOOST_TEST(hex_encode(need(hashed->followed_by(tail))) == sha256_hex(whole), "document " << i);
    }
}

BOOST_AUTO_TEST_CASE(a_document_the_job_does_not_have_is_an_error) {
    const std::vector<std::vector<std::uint8_t>> documents = {random_bytes(2 * 1024 * 1024, 4)};
    daemon::DocumentHashes hashes(documents);
    auto missing = hashes.get(1);
    BOOST_REQUIRE(!missing.has_value());
    BOOST_TEST((missing.error().code == Errc::internal));
}

BOOST_AUTO_TEST_SUITE_END()
