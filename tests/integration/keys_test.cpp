// The key inventory of dev-init's installation, through the API and signetctl.

#include <boost/test/unit_test.hpp>

#include "tests/integration/support/fixture.hpp"

namespace {

using nlohmann::json;
using signet::test::installation;
using signet::test::run;

}  // namespace

BOOST_AUTO_TEST_SUITE(key_inventory)

BOOST_AUTO_TEST_CASE(officers_and_auditors_see_the_seal_and_audit_keys) {
    auto& inst = installation();
    auto listed = inst.request("GET", "/v1/keys", "", "officer");
    BOOST_REQUIRE_MESSAGE(listed.status == 200, listed.body);
    const json body = listed.json();
    std::map<std::string, json> by_purpose;
    for (const auto& key : body.at("keys")) by_purpose[key.at("purpose").get<std::string>()] = key;
    BOOST_REQUIRE(by_purpose.count("seal") == 1U);
    BOOST_REQUIRE(by_purpose.count("audit") == 1U);
    const json& seal = by_purpose["seal"];
    BOOST_TEST(seal.at("state") == "active");
    BOOST_TEST(seal.at("algorithm") == "rsa-3072");
    BOOST_TEST(seal.at("subject").get<std::string>().find("CN=signet development seal") != std::string::npos);
    BOOST_TEST(seal.at("issuer").get<std::string>().find("signet development signing CA") != std::string::npos,
               seal.at("issuer").dump());
    BOOST_TEST(seal.at("not_after").get<std::string>().size() == 20U);
    BOOST_TEST(seal.at("object").get<std::string>().find("pkcs11:token=signet-dev;id=%") == 0U, seal.at("object").dump());
    BOOST_TEST(seal.at("uses").get<std::int64_t>() >= 0);

    BOOST_TEST(inst.request("GET", "/v1/keys", "", "auditor").status == 200);
    BOOST_TEST(inst.request("GET", "/v1/keys", "", "platform").status == 403);

    auto pki = inst.install / "pki";
    auto table = run({SIGNETCTL_PATH, "keys", "list", "--url", "https://127.0.0.1:" + std::to_string(inst.port),
                      "--cacert", (pki / "tls-ca.pem").string(), "--cert", (pki / "officer.pem").string(), "--key",
                      (pki / "officer.key").string()});
    BOOST_TEST(table.exit_code == 0, table.output);
    BOOST_TEST(table.output.find(seal.at("key_id").get<std::string>() + "  seal      active") != std::string::npos,
               table.output);
}

BOOST_AUTO_TEST_CASE(a_seal_counts_as_a_use_of_the_seal_key) {
    auto& inst = installation();
    auto uses = [&] {
        const json listed = inst.request("GET", "/v1/keys", "", "officer").json();
        for (const auto& key : listed.at("keys")) {
            if (key.at("purpose") == "seal") return key.at("uses").get<std::int64_t>();
        }
        return std::int64_t{-1};
    };
    auto before = uses();
    auto pdf = run({"sh", "-c", "printf '%%!PS\\nshowpage\\n' | ps2pdf - - | base64 -w0"});
    BOOST_REQUIRE(pdf.exit_code == 0);
    auto sealed = inst.request("POST", "/v1/seal",
                               json{{"tenant", "cabinet-durand"}, {"actor", "marie.durand"}, {"document", pdf.output}}.dump());
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
    BOOST_TEST(uses() == before + 1);
}

BOOST_AUTO_TEST_SUITE_END()
