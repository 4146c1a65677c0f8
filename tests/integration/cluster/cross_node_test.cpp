// Two signetd nodes on one PostgreSQL store and one SoftHSM token (issue 23): what one node
// decided binds the other. A TOTP code, a guest's code and an Idempotency-Key are good once
// whichever node sees them; an officer cannot approve their own request through another node;
// a key retired through one node stops being used by the other within [keys] refresh; and the
// one audit chain names both nodes and verifies.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <thread>

#include <unistd.h>

#include "tests/integration/cluster/extra_node.hpp"
#include "tests/integration/guests/guest_firm.hpp"
#include "tests/integration/support/fixture.hpp"

namespace {

using nlohmann::json;
using signet::test::GuestFirm;
using signet::test::HttpResult;
using signet::test::read_file;
using signet::test::run;
using signet::test::write_file;
using namespace std::chrono_literals;

// Node A is the installation's signetd (its node is the host name); node B is a second signetd
// on the same configuration with its own port and the node name "node-b".
struct TwoNodes {
    GuestFirm firm;
    signet::test::Installation& a = firm.inst;
    signet::test::ExtraNode b{a, "node-b"};

    // A request to node B: the same URL as node A's, connected to B's port.
    HttpResult on_b(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& client = "platform") const {
        return a.request(method, path, body, client, "application/json", b.connect_to());
    }
};

TwoNodes& nodes() {
    static TwoNodes shared;
    return shared;
}

int approval_id(const HttpResult& asked) { return asked.json().at("approval_id").get<int>(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(cross_node)

BOOST_AUTO_TEST_CASE(health_names_each_node) {
    auto& n = nodes();
    char host[256] = {};
    BOOST_REQUIRE(gethostname(host, sizeof host - 1) == 0);
    BOOST_TEST(n.a.request("GET", "/v1/health", "").json().at("node") == host);
    BOOST_TEST(n.on_b("GET", "/v1/health", "").json().at("node") == "node-b");
    // The balancer's certificate reads health and nothing else.
    BOOST_TEST(n.on_b("GET", "/v1/health", "", "balancer").status == 200);
    BOOST_TEST(n.on_b("GET", "/v1/keys", "", "balancer").status == 403);
}

BOOST_AUTO_TEST_CASE(a_totp_code_used_through_one_node_is_refused_through_the_other) {
    auto& n = nodes();
    const std::string person = "jeanne";
    n.a.put("/v1/tenants/cabinet-durand/members/" + person, R"({"role": "ec", "name": "Jeanne"})");
    auto made = n.a.request("POST", "/v1/persons/" + person + "/key", R"({"algorithm": "ec-p256"})");
    BOOST_REQUIRE_MESSAGE(made.status == 201, made.body);
    const auto work = n.firm.work.path();
    write_file(work / "jeanne.csr", made.json().at("csr").get<std::string>());
    write_file(work / "leaf.ext", "keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n");
    const auto pki = n.a.install / "pki";
    auto issued = run({"openssl", "x509", "-req", "-in", (work / "jeanne.csr").string(), "-CA", (pki / "signing-ca.pem").string(),
                       "-CAkey", (pki / "signing-ca.key").string(), "-days", "365", "-set_serial", "9101", "-extfile",
                       (work / "leaf.ext").string(), "-out", (work / "jeanne.pem").string()});
    BOOST_REQUIRE_MESSAGE(issued.exit_code == 0, issued.output);
    // The certificate through node B, the authenticator through node A.
    auto imported = n.on_b("PUT", "/v1/persons/" + person + "/certificate",
                           json{{"certificate", read_file(work / "jeanne.pem")}}.dump());
    BOOST_REQUIRE_MESSAGE(imported.status == 200, imported.body);
    auto otp = n.a.request("POST", "/v1/persons/" + person + "/otp", "{}");
    BOOST_REQUIRE_MESSAGE(otp.status == 201, otp.body);
    const std::string uri = otp.json().at("otpauth_uri");
    const auto start = uri.find("secret=") + 7;
    const std::string secret = uri.substr(start, uri.find('&', start) - start);
    const auto code = run({"oathtool", "--totp", "-b", secret}).output.substr(0, 6);

    const auto letter = n.firm.sealed_letter("totp");
    const json body{{"tenant", "cabinet-durand"}, {"actor", person}, {"document", signet::test::base64_of(letter)},
                    {"activation", {{"otp", code}}}};
    auto first = n.a.request("POST", "/v1/sign", body.dump());
    BOOST_REQUIRE_MESSAGE(first.status == 200, first.body);
    auto replayed = n.on_b("POST", "/v1/sign", body.dump());
    BOOST_TEST(replayed.status == 403, replayed.body);
    BOOST_TEST(replayed.body.find("already used") != std::string::npos, replayed.body);
}

BOOST_AUTO_TEST_CASE(a_guest_code_sent_to_both_nodes_at_once_passes_once) {
    auto& n = nodes();
    const auto sealed = n.firm.sealed_letter("twice");
    const json guest = n.firm.invited({signet::test::sha256_of(sealed)});
    const std::string body = json{{"tenant", "cabinet-durand"}, {"guest_id", guest.at("guest_id")},
                                  {"code", guest.at("code")}, {"document", signet::test::base64_of(sealed)}}.dump();
    auto through_a = std::async(std::launch::async, [&] { return n.a.request("POST", "/v1/cosign", body); });
    auto through_b = std::async(std::launch::async, [&] { return n.on_b("POST", "/v1/cosign", body); });
    const HttpResult first = through_a.get();
    const HttpResult second = through_b.get();
    BOOST_TEST(((first.status == 200) != (second.status == 200)), first.status << " and " << second.status);
    const HttpResult& refused = first.status == 200 ? second : first;
    BOOST_TEST(refused.status == 403, refused.body);
    BOOST_TEST(refused.body.find("activation_failed") != std::string::npos, refused.body);
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_answered_by_one_node_is_replayed_by_the_other) {
    auto& n = nodes();
    const auto letter = n.firm.sealed_letter("keyed-source");
    const std::string body =
        json{{"tenant", "cabinet-durand"}, {"actor", "marie.durand"}, {"document", signet::test::base64_of(letter)}}.dump();
    const std::vector<std::string> key{"-H", "Idempotency-Key: cross-node-1"};
    auto first = n.a.request("POST", "/v1/seal", body, "platform", "application/json", key);
    BOOST_REQUIRE_MESSAGE(first.status == 200, first.body);
    auto to_b = n.b.connect_to();
    to_b.insert(to_b.end(), key.begin(), key.end());
    auto again = n.a.request("POST", "/v1/seal", body, "platform", "application/json", to_b);
    BOOST_TEST(again.status == 200, again.body);
    BOOST_TEST(again.body == first.body);
    // One key use: one intent for this document, on whichever node.
    int intents = 0;
    const std::string input = signet::test::sha256_of(letter);
    for (const json& entry : n.a.audit_entries()) {
        if (entry.at("outcome") == "intended" && entry.at("document_sha256") == input) ++intents;
    }
    BOOST_TEST(intents == 1);
}

// Dual control across nodes, and the other node's slots following the store.
BOOST_AUTO_TEST_CASE(an_officer_cannot_approve_their_own_request_through_another_node) {
    auto& n = nodes();
    auto keys = n.on_b("GET", "/v1/keys", "", "officer");
    std::string guest_ca;
    const json listed = keys.json();
    for (const json& key : listed.at("keys")) {
        if (key.at("purpose") == "guest-ca" && key.at("state") == "active") guest_ca = key.at("key_id");
    }
    BOOST_REQUIRE_MESSAGE(!guest_ca.empty(), keys.body);
    auto asked = n.a.request("POST", "/v1/keys/" + guest_ca + "/retire", "", "officer");
    BOOST_REQUIRE_MESSAGE(asked.status == 202, asked.body);
    const std::string approve = "/v1/approvals/" + std::to_string(approval_id(asked)) + "/approve";
    auto own = n.on_b("POST", approve, "", "officer");
    BOOST_TEST(own.status == 403, own.body);
    auto pending = n.on_b("GET", "/v1/approvals", "", "officer2");
    BOOST_TEST(pending.body.find("\"pending\"") != std::string::npos, pending.body);
    auto approved = n.on_b("POST", approve, "", "officer2");
    BOOST_REQUIRE_MESSAGE(approved.status == 200, approved.body);

    // Retired through node B; node A stops co-signing within [keys] refresh (5 s).
    const auto sealed = n.firm.sealed_letter("after-retire");
    HttpResult refused;
    for (int i = 0; i < 80; ++i) {
        const json guest = n.firm.invited({signet::test::sha256_of(sealed)});
        refused = n.firm.cosign(guest.at("guest_id"), guest.at("code"), sealed);
        if (refused.status == 503) break;
        std::this_thread::sleep_for(100ms);
    }
    BOOST_TEST(refused.status == 503, refused.body);
    BOOST_TEST(refused.body.find("no guest CA is active") != std::string::npos, refused.body);
    BOOST_TEST(read_file(n.a.dir / "signetd.log").find("the active guest-ca key none") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_one_chain_names_both_nodes_and_verifies) {
    auto& n = nodes();
    bool from_a = false, from_b = false;
    for (const json& entry : n.a.audit_entries()) {
        if (entry.value("node", "") == "node-b") from_b = true;
        else if (entry.contains("node")) from_a = true;
    }
    BOOST_TEST(from_a);
    BOOST_TEST(from_b);
    const auto pki = n.a.install / "pki";
    const auto exported = n.firm.work / "export.ndjson";
    auto got = n.on_b("GET", "/v1/audit/export", "", "auditor");
    BOOST_REQUIRE_MESSAGE(got.status == 200, got.body);
    write_file(exported, got.body);
    auto verified = run({SIGNETCTL_PATH, "audit", "verify", exported.string(), "--trust", (pki / "audit.pem").string()});
    BOOST_TEST(verified.exit_code == 0, verified.output);
    BOOST_TEST(verified.output.find("intact") != std::string::npos, verified.output);
}

BOOST_AUTO_TEST_SUITE_END()
