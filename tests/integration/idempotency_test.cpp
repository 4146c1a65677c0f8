// Issue 20: Idempotency-Key on the key-using routes through a real signetd. A repeat with the
// same key and bytes gets the first answer (status, body byte for byte, Signet-* headers) and
// uses no key: pkcs11-spy counts the HSM's signatures and the audit log the outcomes. Another
// body is a 409; the answers outlive a restart; a large one is kept as a file.

#include <future>

#include <boost/test/unit_test.hpp>

#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"

namespace {

using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::seal_body;
using signet::test::TempDir;

const std::string raw_seal_path = "/v1/seal?tenant=cabinet-durand&actor=marie.durand";

HttpResult with_key(const Installation& inst, const std::string& key, const std::string& path, const std::string& body,
                    const std::string& content_type) {
    return inst.request("POST", path, body, "platform", content_type, {"-H", "Idempotency-Key: " + key});
}

std::map<std::string, std::string> signet_headers(const HttpResult& result) {
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : result.headers) {
        if (name.starts_with("signet-") || name == "content-type") out.emplace(name, value);
    }
    return out;
}

long outcomes(const Installation& inst, const std::string& outcome) {
    long count = 0;
    for (const auto& entry : inst.audit_entries()) count += entry.value("outcome", "") == outcome ? 1 : 0;
    return count;
}

// Checks that `again` is `first` sent again, and that it used no key.
void same_answer(const HttpResult& first, const HttpResult& again) {
    BOOST_TEST(again.status == first.status, again.body);
    BOOST_TEST((again.body == first.body));
    BOOST_TEST((signet_headers(again) == signet_headers(first)));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_repeated_request_gets_the_first_answer_and_uses_no_key) {
    Installation own(true);
    TempDir work;
    const std::string pdf = read_file(signet::test::ps2pdf_sample(work.path(), "letter", 1));
    const std::string other = read_file(signet::test::ps2pdf_sample(work.path(), "other", 2));

    auto raw = with_key(own, "raw-1", raw_seal_path, pdf, "application/pdf");
    BOOST_REQUIRE_MESSAGE(raw.status == 200, raw.body);
    BOOST_TEST(!raw.headers["signet-audit-seq"].empty());
    auto json = with_key(own, "json-1", "/v1/seal", seal_body(pdf), "application/json");
    BOOST_REQUIRE_MESSAGE(json.status == 200, json.body);
    const int signatures = own.hsm_signatures();
    const long sealed = outcomes(own, "sealed");

    same_answer(raw, with_key(own, "raw-1", raw_seal_path, pdf, "application/pdf"));
    same_answer(json, with_key(own, "json-1", "/v1/seal", seal_body(pdf), "application/json"));
    // The key, not the bytes, names the request: the same document without a key is sealed anew.
    BOOST_TEST(own.request("POST", raw_seal_path, pdf, "platform", "application/pdf").status == 200);
    BOOST_TEST(own.hsm_signatures() == signatures + 1);

    // Another body, or another target, under a key already used: 409, and no key use.
    for (const auto& [path, body, type] : {std::tuple{raw_seal_path, other, "application/pdf"},
                                           std::tuple{raw_seal_path + "&level=B-B", pdf, "application/pdf"},
                                           std::tuple{std::string("/v1/seal"), seal_body(other), "application/json"}}) {
        auto conflict = with_key(own, type == std::string("application/pdf") ? "raw-1" : "json-1", path, body, type);
        BOOST_TEST(conflict.status == 409, conflict.body);
        BOOST_TEST(conflict.body.find("\"conflict\"") != std::string::npos, conflict.body);
        BOOST_TEST(conflict.body.find("another request") != std::string::npos, conflict.body);
    }
    BOOST_TEST(own.hsm_signatures() == signatures + 1);

    // Kept across a restart.
    own.restart();
    same_answer(raw, with_key(own, "raw-1", raw_seal_path, pdf, "application/pdf"));
    same_answer(json, with_key(own, "json-1", "/v1/seal", seal_body(pdf), "application/json"));
    BOOST_TEST(own.hsm_signatures() == signatures + 1);
    BOOST_TEST(outcomes(own, "sealed") == sealed + 1);
}

BOOST_AUTO_TEST_CASE(a_refusal_is_kept_too_and_a_malformed_key_is_a_400) {
    const auto& inst = signet::test::installation();
    const std::string path = "/v1/seal?tenant=cabinet-durand&actor=nobody.here";
    auto refused = with_key(inst, "refused-1", path, signet::test::sample_letter(), "application/pdf");
    BOOST_TEST(refused.status == 403, refused.body);
    same_answer(refused, with_key(inst, "refused-1", path, signet::test::sample_letter(), "application/pdf"));

    for (const std::string& key : {std::string(256, 'k'), std::string("two words"), std::string("\"\"")}) {
        auto bad = with_key(inst, key, raw_seal_path, signet::test::sample_letter(), "application/pdf");
        BOOST_TEST(bad.status == 400, key << ": " << bad.body);
        BOOST_TEST(bad.body.find("Idempotency-Key") != std::string::npos, bad.body);
    }
}

BOOST_AUTO_TEST_CASE(a_large_answer_is_kept_as_a_file_and_sent_again) {
    const auto& inst = signet::test::installation();
    TempDir work;
    // About 500 KB: above the 256 KiB kept in the database row itself.
    const std::string pdf = read_file(signet::test::ps2pdf_sample(work.path(), "large", 200, true));
    BOOST_REQUIRE(pdf.size() > 300U * 1024);
    auto first = with_key(inst, "large-1", raw_seal_path, pdf, "application/pdf");
    BOOST_REQUIRE_MESSAGE(first.status == 200, first.body);
    const auto digest = signet::test::run({"sha256sum"}, first.body).output.substr(0, 64);
    BOOST_TEST(std::filesystem::exists(inst.install / "answers" / digest));
    same_answer(first, with_key(inst, "large-1", raw_seal_path, pdf, "application/pdf"));
}

BOOST_AUTO_TEST_CASE(two_requests_with_one_key_at_once_make_one_signature) {
    Installation own(true);
    TempDir work;
    const std::string pdf = read_file(signet::test::ps2pdf_sample(work.path(), "race", 60, true));
    const int before = own.hsm_signatures();
    auto first = std::async(std::launch::async, [&] { return with_key(own, "race-1", raw_seal_path, pdf, "application/pdf"); });
    auto second = std::async(std::launch::async, [&] { return with_key(own, "race-1", raw_seal_path, pdf, "application/pdf"); });
    std::vector<HttpResult> results{first.get(), second.get()};
    int sealed = 0;
    for (const auto& result : results) {
        if (result.status == 200) {
            ++sealed;
            continue;
        }
        // The second arrived while the first ran: told so, and nothing signed for it.
        BOOST_TEST(result.status == 409, result.body);
        BOOST_TEST(result.body.find("still running") != std::string::npos, result.body);
    }
    BOOST_TEST(sealed >= 1);
    if (sealed == 2) same_answer(results[0], results[1]);
    BOOST_TEST(own.hsm_signatures() == before + 1);
}

BOOST_AUTO_TEST_CASE(a_repeated_time_stamp_request_gets_the_same_token) {
    const auto& inst = signet::test::installation();
    TempDir work;
    const auto data = work / "data.txt";
    signet::test::write_file(data, "a document to time-stamp");
    const auto query = work / "query.tsq";
    auto made = signet::test::run({"openssl", "ts", "-query", "-data", data.string(), "-sha256", "-cert", "-out",
                                   query.string()});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.output);
    const std::string der = read_file(query);
    const std::string path = "/v1/timestamp?tenant=cabinet-durand";
    auto first = with_key(inst, "stamp-1", path, der, "application/timestamp-query");
    BOOST_REQUIRE_MESSAGE(first.status == 200, first.body);
    const long stamped = outcomes(inst, "stamped");
    same_answer(first, with_key(inst, "stamp-1", path, der, "application/timestamp-query"));
    BOOST_TEST(outcomes(inst, "stamped") == stamped);
}
