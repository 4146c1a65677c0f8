// The rights matrix and the delegation register through the HTTPS API: who may seal, who needs
// an approver, what each refusal says, and that a refused job never reaches the HSM (counted by
// OpenSC's pkcs11-spy between signetd and SoftHSM, not by signet).

#include <boost/test/unit_test.hpp>

#include "store/database.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::in_days;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

// A cabinet with an EC and one collaborator per situation, and a CROEC, registered through the
// API once for the whole file.
struct Office {
    Installation inst{/*spy_on_hsm=*/true};
    TempDir work{"signet-rights"};
    std::string document_b64;

    Office() {
        inst.put("/v1/tenants/cabinet-martin", R"({"kind": "cabinet", "name": "Cabinet Martin"})");
        for (const auto& [person, role] : std::vector<std::pair<std::string, std::string>>{
                 {"paul", "ec"}, {"sophie", "collaborator"}, {"luc", "collaborator"},
                 {"nina", "collaborator"}, {"eric", "collaborator"}, {"zoe", "collaborator"}}) {
            inst.put("/v1/tenants/cabinet-martin/members/" + person,
                     json{{"role", role}, {"name", person}}.dump());
        }
        inst.put("/v1/tenants/croec-idf", R"({"kind": "croec", "name": "CROEC Île-de-France"})");
        for (const auto& [person, role] : std::vector<std::pair<std::string, std::string>>{
                 {"anne", "president"}, {"bernard", "secretary_general"}, {"camille", "permanent"}}) {
            inst.put("/v1/tenants/croec-idf/members/" + person, json{{"role", role}, {"name", person}}.dump());
        }
        for (const auto& [person, right] : std::vector<std::pair<std::string, std::string>>{
                 {"sophie", "sceller"}, {"luc", "lancer"}, {"nina", "preparer"}, {"eric", "sceller"}}) {
            auto granted = grant("cabinet-martin", "paul", person, {right}, in_days(200));
            if (granted.status != 201) throw std::runtime_error("grant failed: " + granted.body);
        }
        inst.age_delegations("eric", "2026-10-01");  // Eric's delegation ran out
        auto pdf = signet::test::ps2pdf_sample(work.path(), "lettre", 1);
        document_b64 = run({"base64", "-w0", pdf.string()}).output;
    }

    HttpResult grant(const std::string& tenant, const std::string& grantor, const std::string& grantee,
                     const std::vector<std::string>& rights, const std::string& expires) const {
        return inst.request("POST", "/v1/tenants/" + tenant + "/delegations",
                            json{{"grantor", grantor}, {"grantee", grantee}, {"rights", rights},
                                 {"expires", expires}}.dump());
    }

    HttpResult seal(const std::string& actor, const std::string& approved_by = "") const {
        json body{{"tenant", "cabinet-martin"}, {"actor", actor}, {"document", document_b64}};
        if (!approved_by.empty()) body["approved_by"] = approved_by;
        return inst.request("POST", "/v1/seal", body.dump());
    }

    json authorize(const std::string& tenant, const std::string& actor, const std::string& action) const {
        auto result = inst.request("POST", "/v1/authorize",
                                   json{{"tenant", tenant}, {"actor", actor}, {"action", action}}.dump());
        if (result.status != 200) throw std::runtime_error("authorize answered " + result.body);
        return result.json();
    }

    // The last seal job's outcome, reason and approver as recorded.
    std::vector<std::string> last_job() const {
        auto db = inst.open_store();
        auto row = db.prepare(
            "SELECT json_extract(entry, '$.actor'), outcome, COALESCE(json_extract(entry, '$.reason'), ''), "
            "COALESCE(json_extract(entry, '$.approver'), '') FROM audit_log "
            "WHERE action = 'document.seal' ORDER BY seq DESC LIMIT 1");
        if (!row || !row->step()) throw std::runtime_error("no seal job recorded");
        return {row->column_text(0), row->column_text(1), row->column_text(2), row->column_text(3)};
    }
};

Office& office() {
    static Office instance;
    return instance;
}

// A 403 with `code`, a message holding `fragment`, no HSM signature, and the refusal on record.
void expect_refused_seal(const HttpResult& result, const std::string& actor, const std::string& code,
                         const std::string& fragment, int signatures_before) {
    BOOST_TEST(result.status == 403, result.body);
    auto body = result.json();
    BOOST_TEST(body.at("error").get<std::string>() == code);
    std::string message = body.at("message").get<std::string>();
    BOOST_TEST(message.find(fragment) != std::string::npos, message);
    BOOST_TEST(office().inst.hsm_signatures() == signatures_before);
    auto job = office().last_job();
    BOOST_TEST(job[0] == actor);
    BOOST_TEST(job[1] == "refused");
    BOOST_TEST(job[2] == message);
}

// A 200 whose document the independent validators accept, and one more HSM signature.
void expect_sealed(const HttpResult& result, int signatures_before) {
    BOOST_REQUIRE_MESSAGE(result.status == 200, result.body);
    BOOST_TEST(office().inst.hsm_signatures() == signatures_before + 1);
    TempDir check("signet-rights-check");
    auto sealed = check.path() / "sealed.pdf";
    write_file(check.path() / "sealed.b64", result.json().at("document").get<std::string>());
    auto decoded = run({"base64", "-d", (check.path() / "sealed.b64").string()});
    BOOST_REQUIRE(decoded.exit_code == 0);
    write_file(sealed, decoded.output);
    auto report = signet::test::pdfsig(office().inst.nss_db, sealed);
    BOOST_TEST(report.valid == 1, report.output);
    BOOST_TEST(report.trusted == 1, report.output);
    auto cms = signet::test::openssl_verify_all(sealed, office().inst.install / "pki" / "signing-ca.pem",
                                                check.path());
    BOOST_TEST(cms.verified == 1);
    for (const auto& failure : cms.failures) BOOST_ERROR(failure);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(seal_enforcement)

BOOST_AUTO_TEST_CASE(a_sceller_delegate_seals) {
    int before = office().inst.hsm_signatures();
    expect_sealed(office().seal("sophie"), before);
    BOOST_TEST(office().last_job()[1] == "sealed");
}

BOOST_AUTO_TEST_CASE(the_ec_seals_without_a_delegation) {
    int before = office().inst.hsm_signatures();
    expect_sealed(office().seal("paul"), before);
}

BOOST_AUTO_TEST_CASE(a_lancer_delegate_cannot_seal) {
    int before = office().inst.hsm_signatures();
    expect_refused_seal(office().seal("luc"), "luc", "forbidden", "lancer", before);
}

BOOST_AUTO_TEST_CASE(an_expired_delegate_is_refused_with_the_date) {
    int before = office().inst.hsm_signatures();
    expect_refused_seal(office().seal("eric"), "eric", "forbidden", "expired on 2026-10-01", before);
}

BOOST_AUTO_TEST_CASE(a_member_without_delegation_and_a_stranger_are_refused) {
    int before = office().inst.hsm_signatures();
    expect_refused_seal(office().seal("zoe"), "zoe", "forbidden", "holds no delegation", before);
    expect_refused_seal(office().seal("mallory"), "mallory", "forbidden", "not a member", before);
}

BOOST_AUTO_TEST_CASE(an_unregistered_tenant_is_refused) {
    int before = office().inst.hsm_signatures();
    auto result = office().inst.request(
        "POST", "/v1/seal", json{{"tenant", "cabinet-inconnu"}, {"actor", "paul"}, {"document", office().document_b64}}.dump());
    expect_refused_seal(result, "paul", "forbidden", "not registered", before);
}

BOOST_AUTO_TEST_CASE(a_preparer_needs_an_approver_whom_the_matrix_lets_approve) {
    int before = office().inst.hsm_signatures();
    expect_refused_seal(office().seal("nina"), "nina", "approval_required", "paul", before);
    expect_refused_seal(office().seal("nina", "luc"), "nina", "forbidden", "approvals in a cabinet come from: ec", before);
    expect_refused_seal(office().seal("nina", "anne"), "nina", "forbidden", "not a member", before);
    expect_sealed(office().seal("nina", "paul"), before);
    auto job = office().last_job();
    BOOST_TEST(job[1] == "sealed");
    BOOST_TEST(job[3] == "paul");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(register_api)

BOOST_AUTO_TEST_CASE(authorize_answers_for_every_kind_of_decision) {
    auto& o = office();
    auto allow = o.authorize("cabinet-martin", "sophie", "seal.send");
    BOOST_TEST(allow.at("decision") == "allow");
    auto approval = o.authorize("cabinet-martin", "nina", "signature.send");
    BOOST_TEST(approval.at("decision") == "approval_required");
    BOOST_TEST(approval.at("approvers") == json::array({"paul"}));
    auto ec_only = o.authorize("cabinet-martin", "sophie", "platform.manage_statistics");
    BOOST_TEST(ec_only.at("decision") == "deny");
    BOOST_TEST(ec_only.at("reason").get<std::string>().find("only ec") != std::string::npos);
    auto president_only = o.authorize("croec-idf", "bernard", "platform.accept_terms");
    BOOST_TEST(president_only.at("decision") == "deny");
    BOOST_TEST(o.authorize("croec-idf", "anne", "platform.accept_terms").at("decision") == "allow");
    BOOST_TEST(o.authorize("nowhere", "anne", "platform.dashboard").at("decision") == "deny");

    auto unknown = o.inst.request("POST", "/v1/authorize",
                                  R"({"tenant": "croec-idf", "actor": "anne", "action": "document.burn"})");
    BOOST_TEST(unknown.status == 400);
}

BOOST_AUTO_TEST_CASE(only_the_secretary_general_grants_in_a_croec) {
    auto& o = office();
    auto by_president = o.grant("croec-idf", "anne", "camille", {"signer"}, in_days(30));
    BOOST_TEST(by_president.status == 403, by_president.body);
    BOOST_TEST(by_president.json().at("error") == "forbidden");
    BOOST_TEST(o.authorize("croec-idf", "camille", "document.sign").at("decision") == "deny");
    auto by_secretary = o.grant("croec-idf", "bernard", "camille", {"signer"}, in_days(30));
    BOOST_TEST(by_secretary.status == 201, by_secretary.body);
    BOOST_TEST(by_secretary.json().at("status") == "active");
    BOOST_TEST(o.authorize("croec-idf", "camille", "document.sign").at("decision") == "allow");
}

BOOST_AUTO_TEST_CASE(grants_are_refused_across_tenants_beyond_a_year_and_to_principals) {
    auto& o = office();
    auto across = o.grant("cabinet-martin", "paul", "camille", {"sceller"}, in_days(30));
    BOOST_TEST(across.status == 422, across.body);
    BOOST_TEST(across.json().at("error") == "invalid_delegation");
    auto too_long = o.grant("cabinet-martin", "paul", "zoe", {"sceller"}, in_days(367));
    BOOST_TEST(too_long.status == 422, too_long.body);
    BOOST_TEST(too_long.json().at("message").get<std::string>().find("at most one year") != std::string::npos);
    auto unknown_right = o.grant("cabinet-martin", "paul", "zoe", {"nouveau"}, in_days(30));
    BOOST_TEST(unknown_right.status == 422, unknown_right.body);
    auto by_collaborator = o.grant("cabinet-martin", "sophie", "zoe", {"sceller"}, in_days(30));
    BOOST_TEST(by_collaborator.status == 403, by_collaborator.body);
    auto to_unknown_tenant = o.grant("cabinet-absent", "paul", "zoe", {"sceller"}, in_days(30));
    BOOST_TEST(to_unknown_tenant.status == 404, to_unknown_tenant.body);
}

// ... and each change, refusals apart, is an entry of the log naming who made it.
BOOST_AUTO_TEST_CASE(a_request_is_pending_until_a_grantor_accepts_then_it_can_be_deactivated) {
    auto& o = office();
    o.inst.put("/v1/tenants/cabinet-martin/members/yann", R"({"role": "collaborator", "name": "Yann"})");
    auto requested = o.inst.request("POST", "/v1/tenants/cabinet-martin/delegation-requests",
                                    json{{"grantee", "yann"}, {"rights", {"sceller"}},
                                         {"expires", in_days(90)}}.dump());
    BOOST_REQUIRE_MESSAGE(requested.status == 201, requested.body);
    BOOST_TEST(requested.json().at("status") == "pending");
    auto id = std::to_string(requested.json().at("id").get<std::int64_t>());
    auto pending = o.authorize("cabinet-martin", "yann", "document.seal");
    BOOST_TEST(pending.at("decision") == "deny");
    BOOST_TEST(pending.at("reason").get<std::string>().find("pending") != std::string::npos);

    auto by_luc = o.inst.request("POST", "/v1/delegations/" + id + "/accept", R"({"grantor": "luc"})");
    BOOST_TEST(by_luc.status == 403, by_luc.body);
    auto by_paul = o.inst.request("POST", "/v1/delegations/" + id + "/accept", R"({"grantor": "paul"})");
    BOOST_TEST(by_paul.status == 200, by_paul.body);
    BOOST_TEST(o.authorize("cabinet-martin", "yann", "document.seal").at("decision") == "allow");
    auto again = o.inst.request("POST", "/v1/delegations/" + id + "/accept", R"({"grantor": "paul"})");
    BOOST_TEST(again.status == 409, again.body);

    auto off = o.inst.request("PATCH", "/v1/delegations/" + id, R"({"by": "paul", "active": false})");
    BOOST_TEST(off.status == 200, off.body);
    BOOST_TEST(off.json().at("status") == "deactivated");
    auto deactivated = o.authorize("cabinet-martin", "yann", "document.seal");
    BOOST_TEST(deactivated.at("reason").get<std::string>().find("deactivated by paul") != std::string::npos,
               deactivated.dump());
    auto on = o.inst.request("PATCH", "/v1/delegations/" + id, R"({"by": "paul", "active": true})");
    BOOST_TEST(on.status == 200, on.body);
    auto prolonged = o.inst.request("PATCH", "/v1/delegations/" + id,
                                    json{{"by", "paul"}, {"expires", in_days(360)}}.dump());
    BOOST_TEST(prolonged.status == 200, prolonged.body);
    auto too_far = o.inst.request("PATCH", "/v1/delegations/" + id,
                                  json{{"by", "paul"}, {"expires", in_days(400)}}.dump());
    BOOST_TEST(too_far.status == 422, too_far.body);
    auto both = o.inst.request("PATCH", "/v1/delegations/" + id,
                               json{{"by", "paul"}, {"active", true}, {"expires", in_days(9)}}.dump());
    BOOST_TEST(both.status == 400, both.body);

    // Leaving the firm ends the delegation for good.
    auto removed = o.inst.request("DELETE", "/v1/tenants/cabinet-martin/members/yann", "");
    BOOST_TEST(removed.status == 200, removed.body);
    BOOST_TEST(removed.json().at("ended_delegations") == json::array({std::stoll(id)}));
    auto list = o.inst.request("GET", "/v1/tenants/cabinet-martin/delegations", "");
    BOOST_REQUIRE(list.status == 200);
    bool found = false;
    const json listed = list.json();
    for (const auto& delegation : listed.at("delegations")) {
        if (std::to_string(delegation.at("id").get<std::int64_t>()) != id) continue;
        found = true;
        BOOST_TEST(delegation.at("status") == "ended");
        BOOST_TEST(delegation.at("grantor") == "paul");
        BOOST_TEST(delegation.at("rights") == json::array({"sceller"}));
    }
    BOOST_TEST(found, list.body);
    BOOST_TEST(o.authorize("cabinet-martin", "yann", "document.seal").at("decision") == "deny");

    // Every change above is an entry of the key-usage log, with the tenant and who made it, in
    // the order made; the refused ones (Luc's acceptance, the year passed, both fields) are not.
    std::vector<std::string> recorded;  // "event by actor"
    int tenant_registered = 0;  // the firm itself, by the Office above
    for (const auto& entry : o.inst.audit_entries()) {
        const std::string event = entry.at("event");
        tenant_registered += event == "tenant_registered" && entry.at("tenant") == "cabinet-martin" ? 1 : 0;
        const json detail = entry.value("detail", json());
        const bool this_delegation = event.starts_with("delegation_") && detail.is_object() &&
                                     detail.value("id", std::int64_t{0}) == std::stoll(id);
        const bool this_member = event.starts_with("member_") && entry.value("actor", "") == "yann";
        if (!this_delegation && !this_member) continue;
        BOOST_TEST(entry.at("tenant") == "cabinet-martin");
        BOOST_TEST(entry.at("outcome") == "done");
        BOOST_TEST(entry.at("client_role") == "platform");
        recorded.push_back(event + " by " + entry.value("actor", ""));
    }
    const std::vector<std::string> made{"member_registered by yann",      "delegation_requested by yann",
                                        "delegation_accepted by paul",    "delegation_deactivated by paul",
                                        "delegation_reactivated by paul", "delegation_prolonged by paul",
                                        "member_removed by yann"};
    BOOST_TEST(recorded == made, boost::test_tools::per_element());
    BOOST_TEST(tenant_registered == 1);
}

BOOST_AUTO_TEST_CASE(register_refusals) {
    auto& o = office();
    auto not_json = o.inst.request("PUT", "/v1/tenants/cabinet-x", "{\"kind\": ");
    BOOST_TEST(not_json.status == 400);
    auto bad_kind = o.inst.request("PUT", "/v1/tenants/cabinet-x", R"({"kind": "bank", "name": "X"})");
    BOOST_TEST(bad_kind.status == 400);
    auto wrong_role = o.inst.request("PUT", "/v1/tenants/cabinet-martin/members/pierre",
                                     R"({"role": "president", "name": "Pierre"})");
    BOOST_TEST(wrong_role.status == 400, wrong_role.body);
    auto no_tenant = o.inst.request("PUT", "/v1/tenants/absent/members/pierre",
                                    R"({"role": "ec", "name": "Pierre"})");
    BOOST_TEST(no_tenant.status == 404, no_tenant.body);
    auto kind_change = o.inst.request("PUT", "/v1/tenants/cabinet-martin", R"({"kind": "croec", "name": "X"})");
    BOOST_TEST(kind_change.status == 409, kind_change.body);
    auto no_delegation = o.inst.request("PATCH", "/v1/delegations/999999", R"({"by": "paul", "active": false})");
    BOOST_TEST(no_delegation.status == 404, no_delegation.body);
    auto auditor = o.inst.request("PUT", "/v1/tenants/cabinet-y", R"({"kind": "cabinet", "name": "Y"})", "auditor");
    BOOST_TEST(auditor.status == 403, auditor.body);
    auto not_member = o.inst.request("DELETE", "/v1/tenants/cabinet-martin/members/nobody", "");
    BOOST_TEST(not_member.status == 404, not_member.body);
    BOOST_TEST(o.inst.healthy());
}

BOOST_AUTO_TEST_SUITE_END()
