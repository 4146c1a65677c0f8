#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "audit/verify.hpp"
#include "tests/support/audit_tamper.hpp"
#include "tests/unit/audit/log_fixture.hpp"

namespace {

using namespace signet;
using nlohmann::json;
using signet::test::GeneratedLog;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offline_verification)

BOOST_AUTO_TEST_CASE(an_intact_log_verifies_with_rsa_and_ec_audit_keys) {
    for (const char* algorithm : {"rsa-3072", "ec-p256"}) {
        BOOST_TEST_CONTEXT(algorithm) {
            GeneratedLog generated(algorithm);
            generated.grow(25, 10);
            auto result = audit::verify_export(generated.export_text(), generated.certificate_pem,
                                               generated.checkpoint_lines());
            BOOST_TEST(result.intact, result.problem);
            BOOST_TEST(result.entries == 25);
            BOOST_TEST(result.anchored == 20);
            BOOST_TEST(result.checkpoints == 4);  // two in the export, the same two in the file
        }
    }
}

BOOST_AUTO_TEST_CASE(each_damage_names_the_first_bad_sequence_number) {
    GeneratedLog generated;
    generated.grow(30, 10);
    const auto lines = lines_of(generated.export_text());
    const std::string kept = generated.checkpoint_lines();
    auto check = [&](const std::vector<std::string>& damaged, std::int64_t seq, const std::string& words) {
        auto result = audit::verify_export(joined(damaged), generated.certificate_pem, kept);
        BOOST_TEST(!result.intact);
        BOOST_TEST(result.first_bad_seq.value_or(-1) == seq, result.problem);
        BOOST_TEST(result.problem.find(words) != std::string::npos, result.problem);
    };
    auto edited = lines;
    json entry = json::parse(edited[11]);
    entry["actor"] = "quelqu'un";
    edited[11] = entry.dump();
    check(edited, 12, "hash does not match");

    auto deleted = lines;
    deleted.erase(deleted.begin() + 4);
    check(deleted, 5, "entry 5 is missing");

    auto swapped = lines;
    std::swap(swapped[7], swapped[8]);
    check(swapped, 8, "entry 8 is missing");

    auto inserted = lines;
    inserted.insert(inserted.begin() + 3, lines[2]);
    check(inserted, 4, "appears again");

    // Rewriting the chain from entry 15 on, hashes and all, still breaks the checkpoint at 20.
    auto rechained = lines;
    std::string previous = json::parse(rechained[13])["hash"];
    for (std::size_t i = 14; i < 30; ++i) {
        json object = json::parse(rechained[i]);
        if (i == 14) object["actor"] = "réécrit";
        object["prev_hash"] = previous;
        auto parsed = audit::entry_from_json(object);
        BOOST_REQUIRE(parsed);
        object["hash"] = audit::compute_hash(*parsed);
        previous = object["hash"];
        rechained[i] = object.dump();
    }
    check(rechained, 20, "diverges");

    // Tail truncation: the export keeps entries 1-18 and none of its checkpoints; the operator's
    // file still has those at 10, 20 and 30.
    auto truncated = std::vector<std::string>(lines.begin(), lines.begin() + 18);
    check(truncated, 19, "removed from the end");

    auto forged = lines;
    json checkpoint = json::parse(forged.back());
    checkpoint["time"] = "2027-01-01T00:00:00Z";
    forged.back() = checkpoint.dump();
    check(forged, 30, "signature does not verify");
}

BOOST_AUTO_TEST_CASE(a_thousand_random_tamperings_are_all_caught) {
    GeneratedLog generated;
    generated.grow(64, 10);
    auto report = signet::test::tamper_test(generated.export_text(), generated.certificate_pem,
                                            generated.checkpoint_lines(), 1000, 7);
    BOOST_TEST(report.untouched_intact);
    BOOST_TEST(report.tried == 1000);
    BOOST_TEST(report.caught == report.tried);
    for (const auto& missed : report.missed) BOOST_ERROR("not caught: " << missed);
    BOOST_TEST_MESSAGE("tamper test on a generated log: " << report.caught << " caught of " << report.tried);
}

BOOST_AUTO_TEST_SUITE_END()
