// The RFC 3161 time-stamping authority through a real signetd (contract v1, second wave,
// "Time-stamping"): requests made by `openssl ts -query`, answers checked by `openssl ts -verify`
// and `-reply -text` against the development signing CA, serials read with OpenSSL's TS API, the
// refusals, the TSA key's life cycle under dual control, and the trusted-clock requirement.

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ts.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::in_days;
using signet::test::Installation;
using signet::test::installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;
namespace fs = std::filesystem;

const std::string stamp_path = "/v1/timestamp?tenant=cabinet-durand";
constexpr long granted = 0;    // PKIStatus (RFC 3161 §2.4.2)
constexpr long rejection = 2;

HttpResult post_query(const Installation& inst, const std::string& der, const std::string& client = "platform",
                      const std::string& path = stamp_path) {
    return inst.request("POST", path, der, client, "application/timestamp-query");
}

// `openssl ts -query -data DATA OPTIONS -out work/NAME.tsq` (a nonce unless -no_nonce).
fs::path make_query(const TempDir& work, const std::string& name, const fs::path& data,
                    const std::vector<std::string>& options) {
    const auto out = work / (name + ".tsq");
    std::vector<std::string> argv{"openssl", "ts", "-query", "-data", data.string()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"-out", out.string()});
    auto made = run(argv);
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.output);
    return out;
}

// What a TimeStampResp says, read in-process with OpenSSL's TS API.
struct Reply {
    bool parsed = false;
    long status = -1;
    std::set<int> failures;       // TS_INFO_* bits set in failInfo
    std::string serial;           // lower-case hex without leading zeros; empty without a token
    bool serial_positive = false;
};

Reply inspect(const std::string& der) {
    Reply out;
    const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<TS_RESP, decltype(&TS_RESP_free)> response(
        d2i_TS_RESP(nullptr, &bytes, static_cast<long>(der.size())), TS_RESP_free);
    if (!response) return out;
    out.parsed = true;
    TS_STATUS_INFO* status = TS_RESP_get_status_info(response.get());
    out.status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status));
    if (const ASN1_BIT_STRING* failure = TS_STATUS_INFO_get0_failure_info(status)) {
        for (int bit : {TS_INFO_BAD_ALG, TS_INFO_BAD_REQUEST, TS_INFO_BAD_DATA_FORMAT, TS_INFO_TIME_NOT_AVAILABLE,
                        TS_INFO_UNACCEPTED_POLICY, TS_INFO_UNACCEPTED_EXTENSION, TS_INFO_ADD_INFO_NOT_AVAILABLE,
                        TS_INFO_SYSTEM_FAILURE}) {
            if (ASN1_BIT_STRING_get_bit(failure, bit) != 0) out.failures.insert(bit);
        }
    }
    TS_TST_INFO* info = TS_RESP_get_tst_info(response.get());
    if (info == nullptr) return out;
    const ASN1_INTEGER* serial = TS_TST_INFO_get_serial(info);
    if (serial == nullptr) return out;
    std::unique_ptr<BIGNUM, decltype(&BN_free)> number(ASN1_INTEGER_to_BN(serial, nullptr), BN_free);
    if (!number) return out;
    out.serial_positive = BN_is_negative(number.get()) == 0 && BN_is_zero(number.get()) == 0;
    char* hex = BN_bn2hex(number.get());
    if (hex == nullptr) return out;
    std::string text(hex);
    OPENSSL_free(hex);
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!text.empty() && text.front() == '-') text.erase(0, 1);
    const auto first = text.find_first_not_of('0');
    out.serial = first == std::string::npos ? "0" : text.substr(first);
    return out;
}

// `openssl ts -reply -in R -text` of an answer kept as work/NAME.tsr.
std::string reply_text(const TempDir& work, const std::string& name, const std::string& der) {
    const auto file = work / (name + ".tsr");
    write_file(file, der);
    auto text = run({"openssl", "ts", "-reply", "-in", file.string(), "-text"});
    BOOST_TEST(text.exit_code == 0, text.output);
    return text.output;
}

// The line that starts with `label` (leading blanks ignored), or "".
std::string line_of(const std::string& text, const std::string& label) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const auto start = line.find_first_not_of(' ');
        if (start != std::string::npos && line.compare(start, label.size(), label) == 0) return line.substr(start);
    }
    return "";
}

// The certificates the token inside work/NAME.tsr carries, as `openssl pkcs7 -print_certs` shows them.
std::string token_certificates(const TempDir& work, const std::string& name) {
    const auto token = work / (name + ".token.der");
    auto out = run({"openssl", "ts", "-reply", "-in", (work / (name + ".tsr")).string(), "-token_out", "-out",
                    token.string()});
    BOOST_REQUIRE_MESSAGE(out.exit_code == 0, out.output);
    auto certs = run({"openssl", "pkcs7", "-inform", "DER", "-in", token.string(), "-print_certs"});
    BOOST_REQUIRE_MESSAGE(certs.exit_code == 0, certs.output);
    return certs.output;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// `openssl ts -verify` of work/NAME.tsr, against `data` or against the query file.
signet::test::RunResult verify(const Installation& inst, const TempDir& work, const std::string& name,
                               const std::vector<std::string>& against, const fs::path& untrusted = {}) {
    std::vector<std::string> argv{"openssl", "ts", "-verify"};
    argv.insert(argv.end(), against.begin(), against.end());
    argv.insert(argv.end(), {"-in", (work / (name + ".tsr")).string(), "-CAfile",
                             (inst.install / "pki" / "signing-ca.pem").string()});
    if (!untrusted.empty()) argv.insert(argv.end(), {"-untrusted", untrusted.string()});
    return run(argv);
}

std::int64_t usage_count(const Installation& inst, const std::string& counter) {
    auto usage = inst.request("GET", "/v1/audit/usage?tenant=cabinet-durand&from=" + in_days(-1) + "&to=" + in_days(1),
                              "", "auditor");
    BOOST_REQUIRE_MESSAGE(usage.status == 200, usage.body);
    const json body = usage.json();
    BOOST_REQUIRE_MESSAGE(body.contains(counter), usage.body);
    return body.at(counter).get<std::int64_t>();
}

// POSTs `query` `count` times with one curl (one connection, one process): 1000 separate curl
// processes would spend most of the time starting TLS. Returns the serials in order.
std::vector<std::string> stamp_many(const Installation& inst, const TempDir& work, const fs::path& query, int count,
                                    const std::string& tag) {
    const auto config = work / (tag + ".curlrc");
    const auto pki = inst.install / "pki";
    {
        std::ofstream out(config);
        const std::string url = "https://127.0.0.1:" + std::to_string(inst.port) + stamp_path;
        for (int i = 0; i < count; ++i) {
            out << "url = \"" << url << "\"\noutput = \"" << (work / (tag + "-" + std::to_string(i) + ".tsr")).string()
                << "\"\n";
        }
    }
    auto ran = run({"curl", "--silent", "--show-error", "--max-time", "300", "--cacert", (pki / "tls-ca.pem").string(),
                    "--cert", (pki / "platform.pem").string(), "--key", (pki / "platform.key").string(), "-H",
                    "Content-Type: application/timestamp-query", "--data-binary", "@" + query.string(), "-w",
                    "%{http_code}\\n", "-K", config.string()});
    BOOST_REQUIRE_MESSAGE(ran.exit_code == 0, ran.output.substr(0, 2000));
    BOOST_REQUIRE_EQUAL(count_of(ran.output, "200\n"), static_cast<std::size_t>(count));
    std::vector<std::string> serials;
    for (int i = 0; i < count; ++i) {
        const auto file = work / (tag + "-" + std::to_string(i) + ".tsr");
        const Reply reply = inspect(read_file(file));
        std::filesystem::remove(file);
        BOOST_REQUIRE(reply.parsed);
        BOOST_REQUIRE_EQUAL(reply.status, granted);
        BOOST_TEST(reply.serial_positive, "serial " << reply.serial << " is not positive");
        serials.push_back(reply.serial);
    }
    return serials;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(time_stamping)

// Every supported imprint, with and without certReq: the token verifies against the data and
// against the query (nonce included), echoes the nonce, carries the TSA certificate exactly when
// asked, and is one audited key use with its serial on record.
BOOST_AUTO_TEST_CASE(tokens_verify_for_each_hash_with_and_without_the_certificate) {
    auto& inst = installation();
    TempDir work{"signet-ts"};
    const auto data = work / "document.txt";
    write_file(data, "Procès-verbal de l'assemblée générale du 3 mars\n");
    const auto pki = inst.install / "pki";
    const std::int64_t usage_before = usage_count(inst, "timestamps");

    std::vector<std::string> serials;
    for (const std::string hash : {"sha256", "sha384", "sha512"}) {
        for (const bool with_cert : {true, false}) {
            BOOST_TEST_CONTEXT(hash << (with_cert ? " with -cert" : " without -cert")) {
                const std::string name = hash + (with_cert ? "-cert" : "-nocert");
                std::vector<std::string> options{"-" + hash};
                if (with_cert) options.push_back("-cert");
                const auto query = make_query(work, name, data, options);
                auto answer = post_query(inst, read_file(query));
                BOOST_REQUIRE_MESSAGE(answer.status == 200, answer.body);
                BOOST_TEST(answer.headers["content-type"] == "application/timestamp-reply");

                const std::string text = reply_text(work, name, answer.body);
                BOOST_TEST(text.find("Status: Granted.") != std::string::npos, text);
                BOOST_TEST(text.find("Hash Algorithm: " + hash) != std::string::npos, text);
                BOOST_TEST(text.find("Policy OID: 2.999.1.1") != std::string::npos, text);

                const fs::path untrusted = with_cert ? fs::path{} : pki / "tsa.pem";
                auto against_data = verify(inst, work, name, {"-data", data.string()}, untrusted);
                BOOST_TEST(against_data.exit_code == 0, against_data.output);
                BOOST_TEST(against_data.output.find("Verification: OK") != std::string::npos, against_data.output);
                auto against_query = verify(inst, work, name, {"-queryfile", query.string()}, untrusted);
                BOOST_TEST(against_query.exit_code == 0, against_query.output);
                BOOST_TEST(against_query.output.find("Verification: OK") != std::string::npos, against_query.output);

                auto query_text = run({"openssl", "ts", "-query", "-in", query.string(), "-text"});
                BOOST_REQUIRE(query_text.exit_code == 0);
                const std::string asked = line_of(query_text.output, "Nonce:");
                BOOST_TEST(asked.size() > 9U, query_text.output);  // "Nonce: 0x" and digits
                BOOST_TEST(line_of(text, "Nonce:") == asked, text);

                const std::string certs = token_certificates(work, name);
                if (with_cert) {
                    // RFC 3161 §2.4.1: the TSA's certificate must be there; its chain may be.
                    BOOST_TEST(count_of(certs, "-----BEGIN CERTIFICATE-----") >= 1U, certs);
                    const std::string tsa_pem = read_file(pki / "tsa.pem");
                    const auto begin = tsa_pem.find("-----BEGIN CERTIFICATE-----");
                    BOOST_TEST(certs.find(tsa_pem.substr(begin)) != std::string::npos, certs);
                } else {
                    BOOST_TEST(count_of(certs, "-----BEGIN CERTIFICATE-----") == 0U, certs);
                    // The chain is needed then: without -untrusted there is no signer to find.
                    BOOST_TEST(verify(inst, work, name, {"-data", data.string()}).exit_code != 0);
                }
                const Reply reply = inspect(answer.body);
                BOOST_TEST(reply.serial_positive);
                serials.push_back(reply.serial);
            }
        }
    }
    // Each token is one audited key use: an entry per serial, and the usage count follows.
    BOOST_TEST(std::set<std::string>(serials.begin(), serials.end()).size() == serials.size());
    BOOST_TEST(usage_count(inst, "timestamps") == usage_before + 6);
    const auto entries = inst.audit_entries();
    for (const auto& serial : serials) {
        const auto found = std::count_if(entries.begin(), entries.end(), [&](const json& entry) {
            return entry.value("event", "") == "timestamp" && entry.value("outcome", "") == "stamped" &&
                   entry.value("action", "") == "timestamp" && entry.value("tenant", "") == "cabinet-durand" &&
                   entry.contains("detail") && entry.at("detail").is_object() &&
                   entry.at("detail").value("serial", "") == serial;
        });
        BOOST_TEST(found == 1, "audit entries for serial " << serial << ": " << found);
    }
}

// RFC 3161 §2.4.2: serials are unique; the contract adds "never reused, also across restarts".
BOOST_AUTO_TEST_CASE(two_thousand_serials_are_distinct_across_a_restart) {
    auto& inst = installation();
    TempDir work{"signet-ts-serials"};
    const auto data = work / "data.bin";
    write_file(data, "one query, sent two thousand times");
    const auto query = make_query(work, "q", data, {"-sha256"});
    const auto start = std::chrono::steady_clock::now();

    auto serials = stamp_many(inst, work, query, 1000, "first");
    inst.restart();
    auto after = stamp_many(inst, work, query, 1000, "second");
    serials.insert(serials.end(), after.begin(), after.end());

    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE("2000 tokens and a restart in " << seconds << " s");
    BOOST_TEST(serials.size() == 2000U);
    const std::set<std::string> distinct(serials.begin(), serials.end());
    BOOST_TEST(distinct.size() == 2000U);
    BOOST_TEST(distinct.count("0") == 0U);
}

BOOST_AUTO_TEST_CASE(refusals_and_rejections) {
    auto& inst = installation();
    TempDir work{"signet-ts-refused"};
    const auto data = work / "data.txt";
    write_file(data, "refused");
    const std::string good = read_file(make_query(work, "good", data, {"-sha256", "-cert"}));
    auto error_of = [](const HttpResult& result) {
        auto parsed = json::parse(result.body, nullptr, false);
        return parsed.is_object() ? parsed.value("error", "") : std::string("(not JSON) ") + result.body;
    };

    for (const std::string client : {"officer", "auditor"}) {
        auto refused = post_query(inst, good, client);
        BOOST_TEST(refused.status == 403, client << ": " << refused.body);
        BOOST_TEST(error_of(refused) == "forbidden");
    }
    auto garbage = post_query(inst, "this is not a TimeStampReq");
    BOOST_TEST(garbage.status == 400, garbage.body);
    BOOST_TEST(error_of(garbage) == "bad_request");
    auto no_tenant = post_query(inst, good, "platform", "/v1/timestamp");
    BOOST_TEST(no_tenant.status == 400, no_tenant.body);
    BOOST_TEST(error_of(no_tenant) == "bad_request");
    auto unknown = post_query(inst, good, "platform", "/v1/timestamp?tenant=cabinet-inconnu");
    BOOST_TEST(unknown.status == 404, unknown.body);
    BOOST_TEST(error_of(unknown) == "not_found");
    auto oversized = post_query(inst, good + std::string(16 * 1024, '\0'));
    BOOST_TEST(oversized.status == 413, oversized.body);
    BOOST_TEST(error_of(oversized) == "too_large");
    auto at_limit = post_query(inst, std::string(16 * 1024, '\x30'));  // 16 KiB exactly: read, then refused
    BOOST_TEST(at_limit.status == 400, at_limit.body);

    const std::int64_t refusals_before = usage_count(inst, "refusals");
    const std::int64_t stamps_before = usage_count(inst, "timestamps");
    // A well-formed request the TSA will not serve is answered in RFC 3161's own terms.
    struct Case {
        std::string name;
        std::vector<std::string> options;
        int failure;
        std::string words;
    };
    for (const auto& c : std::vector<Case>{
             {"sha1", {"-sha1"}, TS_INFO_BAD_ALG, "unrecognized or unsupported algorithm identifier"},
             {"policy", {"-sha256", "-tspolicy", "1.2.3"}, TS_INFO_UNACCEPTED_POLICY,
              "the requested TSA policy is not supported by the TSA"}}) {
        BOOST_TEST_CONTEXT(c.name) {
            auto answer = post_query(inst, read_file(make_query(work, c.name, data, c.options)));
            BOOST_REQUIRE_MESSAGE(answer.status == 200, answer.body);
            BOOST_TEST(answer.headers["content-type"] == "application/timestamp-reply");
            const Reply reply = inspect(answer.body);
            BOOST_REQUIRE(reply.parsed);
            BOOST_TEST(reply.status == rejection);
            BOOST_TEST((reply.failures == std::set<int>{c.failure}));
            BOOST_TEST(reply.serial.empty(), "a rejection carries no token");
            const std::string text = reply_text(work, c.name, answer.body);
            BOOST_TEST(text.find("Status: Rejected.") != std::string::npos, text);
            BOOST_TEST(text.find(c.words) != std::string::npos, text);
        }
    }
    // Rejections are on record as refusals, and are not billed as tokens.
    BOOST_TEST(usage_count(inst, "refusals") >= refusals_before + 2);
    BOOST_TEST(usage_count(inst, "timestamps") == stamps_before);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

const std::string tsa_extensions =
    "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
    "extendedKeyUsage = critical, timeStamping\n";

// Its own installation: these cases change which TSA key is active.
Installation& tsa_installation() {
    static Installation shared;
    return shared;
}

// A pending TSA key made through the API by an officer; returns its id and writes its CSR.
std::string generate_tsa_key(const Installation& inst, const TempDir& work, const std::string& algorithm,
                             const std::string& label) {
    auto made = inst.request("POST", "/v1/keys",
                             json{{"purpose", "tsa"}, {"algorithm", algorithm}, {"label", label}}.dump(), "officer");
    BOOST_REQUIRE_MESSAGE(made.status == 201, made.body);
    const json body = made.json();
    write_file(work / (label + ".csr"), body.at("csr").get<std::string>());
    return body.at("key_id").get<std::string>();
}

// The certificate the development signing CA issues for work/LABEL.csr with `extensions`, as its
// operator would with openssl; written to work/NAME.pem.
fs::path issue(const Installation& inst, const TempDir& work, const std::string& label, const std::string& name,
               const std::string& extensions) {
    const auto pki = inst.install / "pki";
    const auto ext = work / (name + ".ext");
    const auto out = work / (name + ".pem");
    write_file(ext, extensions);
    static int serial = 7000;
    auto issued = run({"openssl", "x509", "-req", "-in", (work / (label + ".csr")).string(), "-CA",
                       (pki / "signing-ca.pem").string(), "-CAkey", (pki / "signing-ca.key").string(), "-days", "365",
                       "-set_serial", std::to_string(++serial), "-extfile", ext.string(), "-out", out.string()});
    BOOST_REQUIRE_MESSAGE(issued.exit_code == 0, issued.output);
    return out;
}

HttpResult import_certificate(const Installation& inst, const std::string& key_id, const fs::path& certificate) {
    return inst.request("PUT", "/v1/keys/" + key_id + "/certificate",
                        json{{"certificate", read_file(certificate)},
                             {"chain", {read_file(inst.install / "pki" / "signing-ca.pem")}}}
                            .dump(),
                        "officer");
}

std::map<std::string, json> tsa_keys(const Installation& inst) {
    auto listed = inst.request("GET", "/v1/keys", "", "officer");
    BOOST_REQUIRE_MESSAGE(listed.status == 200, listed.body);
    const json body = listed.json();  // kept: a loop over a temporary's member would dangle
    std::map<std::string, json> out;
    for (const auto& key : body.at("keys")) {
        if (key.at("purpose") == "tsa") out[key.at("key_id").get<std::string>()] = key;
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tsa_keys_and_clock)

// RFC 3161 §2.3 and the contract: a TSA certificate has exactly one, critical, extendedKeyUsage
// timeStamping. Certificates that miss it are refused on import and the key stays pending.
BOOST_AUTO_TEST_CASE(certificates_without_a_sole_critical_time_stamping_usage_are_refused) {
    auto& inst = tsa_installation();
    TempDir work{"signet-ts-certs"};
    const std::string key = generate_tsa_key(inst, work, "ec-p256", "tsa-refused");
    const std::string base = "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n";
    struct Case {
        std::string name;
        std::string extensions;
        std::string words;
    };
    for (const auto& c : std::vector<Case>{
             {"not-critical", base + "extendedKeyUsage = timeStamping\n", "critical"},
             {"also-code-signing", base + "extendedKeyUsage = critical, timeStamping, codeSigning\n", "timeStamping"},
             {"seal-style", "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, nonRepudiation\n",
              "extendedKeyUsage"}}) {
        BOOST_TEST_CONTEXT(c.name) {
            auto refused = import_certificate(inst, key, issue(inst, work, "tsa-refused", c.name, c.extensions));
            BOOST_TEST(refused.status == 422, refused.body);
            auto parsed = json::parse(refused.body, nullptr, false);
            BOOST_REQUIRE_MESSAGE(parsed.is_object(), refused.body);
            BOOST_TEST(parsed.value("error", "") == "invalid_certificate", refused.body);
            BOOST_TEST(parsed.value("message", "").find(c.words) != std::string::npos, refused.body);
        }
    }
    BOOST_TEST(tsa_keys(inst).at(key).at("state") == "pending");
    BOOST_TEST(inst.request("POST", "/v1/keys/" + key + "/activate", "", "officer").status == 409);
}

// A rotation to an EC TSA key under dual control (dev-init's is RSA-3072, so tokens of both key
// types are checked by openssl): afterwards tokens are signed by the new key (they verify with
// its certificate and not with the old one), the old key is retired for good.
BOOST_AUTO_TEST_CASE(an_ec_tsa_key_replaces_the_dev_init_one_under_dual_control) {
    auto& inst = tsa_installation();
    TempDir work{"signet-ts-rotation"};
    const auto before = tsa_keys(inst);
    std::string old_key;
    for (const auto& [id, key] : before) {
        if (key.at("state") == "active") old_key = id;
    }
    BOOST_REQUIRE_MESSAGE(!old_key.empty(), "dev-init made no active TSA key");

    const std::string key = generate_tsa_key(inst, work, "ec-p256", "tsa-2");
    const auto certificate = issue(inst, work, "tsa-2", "tsa-2", tsa_extensions);
    auto imported = import_certificate(inst, key, certificate);
    BOOST_REQUIRE_MESSAGE(imported.status == 200, imported.body);

    auto requested = inst.request("POST", "/v1/keys/" + key + "/activate", "", "officer");
    BOOST_REQUIRE_MESSAGE(requested.status == 202, requested.body);
    const std::string approval = std::to_string(requested.json().at("approval_id").get<std::int64_t>());
    // Dual control: the requester cannot approve their own change.
    BOOST_TEST(inst.request("POST", "/v1/approvals/" + approval + "/approve", "", "officer").status == 403);
    auto approved = inst.request("POST", "/v1/approvals/" + approval + "/approve", "", "officer2");
    BOOST_REQUIRE_MESSAGE(approved.status == 200, approved.body);

    const auto after = tsa_keys(inst);
    BOOST_TEST(after.at(key).at("state") == "active", after.at(key).dump());
    BOOST_TEST(after.at(key).at("algorithm") == "ec-p256");
    BOOST_TEST(after.at(old_key).at("state") == "retired", after.at(old_key).dump());

    const auto data = work / "data.txt";
    write_file(data, "signed by the EC key");
    const auto pki = inst.install / "pki";
    // Key changes reach the signing path within [keys] refresh (5 s); one node sees them at once,
    // but a token signed in between by the old key is allowed, so wait for the first new one.
    bool rotated = false;
    for (int attempt = 0; attempt < 30 && !rotated; ++attempt) {
        const auto query = make_query(work, "nocert", data, {"-sha256"});
        auto answer = post_query(inst, read_file(query));
        BOOST_REQUIRE_MESSAGE(answer.status == 200, answer.body);
        reply_text(work, "nocert", answer.body);
        rotated = verify(inst, work, "nocert", {"-queryfile", query.string()}, certificate).exit_code == 0;
        if (!rotated) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    BOOST_REQUIRE_MESSAGE(rotated, "no token signed by tsa-2 within 15 s");
    const auto query = make_query(work, "nocert", data, {"-sha512"});
    auto answer = post_query(inst, read_file(query));
    BOOST_REQUIRE_MESSAGE(answer.status == 200, answer.body);
    reply_text(work, "nocert", answer.body);
    auto with_new = verify(inst, work, "nocert", {"-queryfile", query.string()}, certificate);
    BOOST_TEST(with_new.exit_code == 0, with_new.output);
    BOOST_TEST(verify(inst, work, "nocert", {"-queryfile", query.string()}, pki / "tsa.pem").exit_code != 0);

    // With certReq the token carries tsa-2's certificate, which the CA chain accepts.
    const auto with_cert_query = make_query(work, "cert", data, {"-sha384", "-cert"});
    auto with_cert = post_query(inst, read_file(with_cert_query));
    BOOST_REQUIRE_MESSAGE(with_cert.status == 200, with_cert.body);
    reply_text(work, "cert", with_cert.body);
    const std::string certs = token_certificates(work, "cert");
    const std::string pem = read_file(certificate);
    BOOST_TEST(certs.find(pem.substr(pem.find("-----BEGIN CERTIFICATE-----"))) != std::string::npos, certs);
    BOOST_TEST(certs.find("tsa-2") != std::string::npos, certs);
    auto verified = verify(inst, work, "cert", {"-data", data.string()});
    BOOST_TEST(verified.exit_code == 0, verified.output);

    // Each token is a use of the TSA key (contract: "every token is a key use").
    BOOST_TEST(tsa_keys(inst).at(key).at("uses").get<std::int64_t>() > 0);

    // The retired key stays retired.
    auto again = inst.request("POST", "/v1/keys/" + old_key + "/activate", "", "officer");
    BOOST_TEST(again.status == 409, again.body);
    BOOST_TEST(tsa_keys(inst).at(old_key).at("state") == "retired");
}

// RFC 3161 §2.4.2 timeNotAvailable. Whether the kernel reports the clock synchronised depends on
// the machine running the tests (CI containers usually have no NTP daemon, a developer's laptop
// usually has one), so the test reads the state signetd reports and checks the behaviour that
// state requires: refusals when unsynchronised, tokens when synchronised. Both are the contract.
BOOST_AUTO_TEST_CASE(an_unsynchronised_clock_refuses_tokens_when_the_policy_requires_it) {
    auto& shared = installation();
    auto health = shared.request("GET", "/v1/health", "", "auditor");
    BOOST_REQUIRE_MESSAGE(health.status == 200, health.body);
    const json state = health.json();
    BOOST_REQUIRE_MESSAGE(state.contains("clock_synchronized") && state.at("clock_synchronized").is_boolean(),
                          health.body);
    const bool synchronised = state.at("clock_synchronized").get<bool>();
    auto metrics = shared.request("GET", "/metrics", "", "auditor");
    BOOST_REQUIRE_MESSAGE(metrics.status == 200, metrics.body);
    const std::string metric = line_of(metrics.body, "signet_clock_synchronized ");
    BOOST_TEST(metric == std::string("signet_clock_synchronized ") + (synchronised ? "1" : "0"), metrics.body);
    BOOST_TEST_MESSAGE("the clock is " << (synchronised ? "" : "not ") << "synchronised on this machine");

    Installation strict(false, "[timestamp]\nsource = \"internal\"\npolicy = \"2.999.1.1\"\n"
                               "require_synchronized_clock = true\n");
    TempDir work{"signet-ts-clock"};
    const auto data = work / "data.txt";
    write_file(data, "what time is it?");
    auto answer = post_query(strict, read_file(make_query(work, "q", data, {"-sha256", "-cert"})));
    BOOST_REQUIRE_MESSAGE(answer.status == 200, answer.body);
    const Reply reply = inspect(answer.body);
    BOOST_REQUIRE(reply.parsed);
    const std::string text = reply_text(work, "q", answer.body);
    const auto pdf = signet::test::ps2pdf_sample(work.path(), "lettre", 1);
    auto sealed = strict.request("POST", "/v1/seal", signet::test::seal_body(read_file(pdf), ", \"level\": \"B-T\""));
    if (!synchronised) {
        BOOST_TEST(reply.status == rejection);
        BOOST_TEST((reply.failures == std::set<int>{TS_INFO_TIME_NOT_AVAILABLE}));
        BOOST_TEST(text.find("Status: Rejected.") != std::string::npos, text);
        BOOST_TEST(text.find("time source is not available") != std::string::npos, text);
        BOOST_TEST(sealed.status == 503, sealed.body);
        BOOST_TEST(sealed.body.find("\"unavailable\"") != std::string::npos, sealed.body);
    } else {
        BOOST_TEST(reply.status == granted, text);
        BOOST_TEST(sealed.status == 200, sealed.body);
    }
}

BOOST_AUTO_TEST_SUITE_END()
