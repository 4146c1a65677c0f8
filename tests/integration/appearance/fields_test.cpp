// Prepared fields (issue 21): POST /v1/prepare places empty signature fields by an incremental
// update that keeps earlier signatures valid; seals and signatures then fill them in turn, each
// signature valid after the last; and every bad request is refused with the contract's error.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/integration/appearance/rendering.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::in_days;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

// A firm with an EC (Marie, who seals), a signer with a personal key (Paul) and a preparer (Nina),
// and a member with no delegation (Tom).
struct Studio {
    Installation inst{true};
    TempDir work{"signet-fields"};
    std::string paul_secret;

    Studio() {
        for (const auto& [person, name] : std::vector<std::pair<std::string, std::string>>{
                 {"paul", "Paul Girard"}, {"nina", "Nina Petit"}, {"tom", "Tom Blanc"}}) {
            inst.put("/v1/tenants/cabinet-durand/members/" + person, json{{"role", "collaborator"}, {"name", name}}.dump());
        }
        for (const auto& [person, right] : std::vector<std::pair<std::string, std::string>>{{"paul", "signer"}, {"nina", "preparer"}}) {
            auto granted = inst.request("POST", "/v1/tenants/cabinet-durand/delegations",
                                        json{{"grantor", "marie.durand"}, {"grantee", person}, {"rights", {right}},
                                             {"expires", in_days(200)}}.dump());
            BOOST_REQUIRE_MESSAGE(granted.status == 201, granted.body);
        }
        enrol_paul();
    }

    void enrol_paul() {
        auto made = inst.request("POST", "/v1/persons/paul/key", json{{"algorithm", "ec-p256"}}.dump());
        BOOST_REQUIRE_MESSAGE(made.status == 201, made.body);
        write_file(work / "paul.csr", made.json().at("csr").get<std::string>());
        write_file(work / "ext", "keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n");
        auto pki = inst.install / "pki";
        auto issued = run({"openssl", "x509", "-req", "-in", (work / "paul.csr").string(), "-CA",
                           (pki / "signing-ca.pem").string(), "-CAkey", (pki / "signing-ca.key").string(), "-days",
                           "365", "-set_serial", "4242", "-extfile", (work / "ext").string(), "-out",
                           (work / "paul.pem").string()});
        BOOST_REQUIRE_MESSAGE(issued.exit_code == 0, issued.output);
        auto imported = inst.request("PUT", "/v1/persons/paul/certificate",
                                     json{{"certificate", read_file(work / "paul.pem")}}.dump());
        BOOST_REQUIRE_MESSAGE(imported.status == 200, imported.body);
        auto otp = inst.request("POST", "/v1/persons/paul/otp", "{}");
        BOOST_REQUIRE_MESSAGE(otp.status == 201, otp.body);
        const std::string uri = otp.json().at("otpauth_uri");
        auto start = uri.find("secret=") + 7;
        paul_secret = uri.substr(start, uri.find('&', start) - start);
    }

    // Paul's next code: one he has not used yet (each is good once), waiting for the next
    // 30-second step when needed.
    std::string paul_code() {
        static std::string last;
        for (;;) {
            const auto at = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
            auto code = run({"oathtool", "--totp", "-b", paul_secret, "-N", "@" + std::to_string(at)}).output.substr(0, 6);
            if (code != last) return last = code;
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }

    static std::string b64(const std::filesystem::path& file) { return run({"base64", "-w0", file.string()}).output; }

    std::filesystem::path save(const std::string& document_b64, const std::string& name) {
        const auto file = work / (name + ".pdf");
        write_file(file, run({"base64", "-d"}, document_b64).output);
        return file;
    }

    HttpResult prepare(const std::filesystem::path& pdf, const json& fields, const std::string& actor = "nina") {
        return inst.request("POST", "/v1/prepare",
                            json{{"tenant", "cabinet-durand"}, {"actor", actor}, {"document", b64(pdf)}, {"fields", fields}}.dump());
    }

    HttpResult seal(const std::filesystem::path& pdf, const json& appearance, const std::string& actor = "marie.durand") {
        return inst.request("POST", "/v1/seal",
                            json{{"tenant", "cabinet-durand"}, {"actor", actor}, {"document", b64(pdf)}, {"appearance", appearance}}.dump());
    }

    HttpResult sign_as_paul(const std::filesystem::path& pdf, const json& appearance) {
        return inst.request("POST", "/v1/sign",
                            json{{"tenant", "cabinet-durand"}, {"actor", "paul"}, {"document", b64(pdf)},
                                 {"appearance", appearance}, {"activation", {{"otp", paul_code()}}}}.dump());
    }

    // `signatures` valid ones made with `certificates` different certificates. pdfsig also lists
    // the fields still waiting, as "not signed"; and poppler 22.02 reports "Unknown issue with
    // Certificate" for every signature after the first made with one certificate (any file
    // signed twice by one key, fields or not): each certificate's first use stands for its trust,
    // and openssl checks every signature's chain.
    void validate(const std::filesystem::path& file, int signatures, int certificates) {
        auto report = signet::test::pdfsig(inst.nss_db, file);
        BOOST_TEST(report.valid == signatures, report.output);
        BOOST_TEST(report.trusted == certificates, report.output);
        auto [qpdf_exit, qpdf_output] = signet::test::qpdf_check(file);
        BOOST_TEST(qpdf_exit == 0, qpdf_output);
        auto cms = signet::test::openssl_verify_all(file, inst.install / "pki" / "signing-ca.pem", work.path());
        BOOST_TEST(cms.verified == signatures);
        for (const auto& failure : cms.failures) BOOST_ERROR(failure);
    }

    void expect(const HttpResult& result, int status, const std::string& code, const std::string& words) {
        BOOST_TEST(result.status == status, result.body);
        BOOST_TEST(result.body.find("\"" + code + "\"") != std::string::npos, result.body);
        BOOST_TEST(result.body.find(words) != std::string::npos, words << " not in " << result.body);
    }
};

Studio& studio() {
    static Studio shared;
    return shared;
}

json field(const std::string& name, int page, std::vector<double> rect, const std::string& signer = "") {
    json out{{"name", name}, {"page", page}, {"rect", rect}};
    if (!signer.empty()) out["signer"] = signer;
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prepared_fields)

BOOST_AUTO_TEST_CASE(a_sealed_document_is_prepared_then_filled_by_three_signers_in_turn) {
    Studio& s = studio();
    const auto letter = signet::test::ps2pdf_sample(s.work.path(), "mission", 2);
    // Sealed first, invisibly: the preparation must keep that signature valid.
    auto first = s.inst.request("POST", "/v1/seal",
                                json{{"tenant", "cabinet-durand"}, {"actor", "marie.durand"}, {"document", Studio::b64(letter)}}.dump());
    BOOST_REQUIRE_MESSAGE(first.status == 200, first.body);
    auto sealed = s.save(first.json().at("document"), "sealed");

    const int signatures_before = s.inst.hsm_signatures();
    auto prepared = s.prepare(sealed, json::array({field("Cachet", 1, {40, 40, 260, 110}, "marie.durand"),
                                                   field("Signature Paul", 2, {320, 40, 560, 110}, "paul"),
                                                   field("Visa", 2, {40, 40, 260, 110})}));
    BOOST_REQUIRE_MESSAGE(prepared.status == 200, prepared.body);
    BOOST_TEST(s.inst.hsm_signatures() == signatures_before);  // no key use
    auto with_fields = s.save(prepared.json().at("document"), "prepared");
    BOOST_TEST(read_file(with_fields).rfind(read_file(sealed), 0) == 0U);  // an incremental update
    s.validate(with_fields, 1, 1);
    // The empty fields show in a reader as dashed frames where Nina placed them.
    auto page = signet::test::render_page(with_fields, 2, s.work.path());
    auto box = signet::test::displayed_area({320, 40, 560, 110}, {0, 0, 595, 842}, 0);
    BOOST_TEST(page.count(static_cast<int>(box.x1) - 1, static_cast<int>(box.y1) - 1, static_cast<int>(box.x2) + 1,
                          static_cast<int>(box.y2) + 1, [](auto p) { return p.r < 230 && p.r == p.g && p.g == p.b; }) > 50);

    // The prepare is on record and metered.
    const json last = s.inst.audit_entries().back();
    BOOST_TEST(last.at("event") == "prepare", last.dump());
    BOOST_TEST(last.at("outcome") == "prepared");
    BOOST_TEST(last.at("actor") == "nina");
    auto usage = s.inst.request("GET", "/v1/audit/usage?tenant=cabinet-durand&from=" + in_days(-1) + "&to=" + in_days(1), "",
                                "auditor");
    BOOST_TEST(usage.json().at("prepares").get<int>() >= 1, usage.body);

    // Marie seals in her field, Paul signs in his, Marie seals the field for anyone.
    auto one = s.seal(with_fields, {{"field", "Cachet"}});
    BOOST_REQUIRE_MESSAGE(one.status == 200, one.body);
    auto after_one = s.save(one.json().at("document"), "filled-1");
    s.validate(after_one, 2, 1);
    auto two = s.sign_as_paul(after_one, {{"field", "Signature Paul"}});
    BOOST_REQUIRE_MESSAGE(two.status == 200, two.body);
    auto after_two = s.save(two.json().at("document"), "filled-2");
    s.validate(after_two, 3, 2);
    auto three = s.seal(after_two, {{"field", "Visa"}});
    BOOST_REQUIRE_MESSAGE(three.status == 200, three.body);
    auto after_three = s.save(three.json().at("document"), "filled-3");
    s.validate(after_three, 4, 2);

    // Each filled field shows its box where it was placed, with its signer's text.
    auto report = run({"pdfsig", "-nssdir", s.inst.nss_db.string(), after_three.string()});
    BOOST_TEST(report.output.find("Signature Field Name: Signature Paul") != std::string::npos, report.output);
    const std::string paul = signet::test::text_in_area(after_three, 2, box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1);
    BOOST_TEST(paul.find("Paul Girard") != std::string::npos, paul);
    auto visa = signet::test::displayed_area({40, 40, 260, 110}, {0, 0, 595, 842}, 0);
    const std::string stamp = signet::test::text_in_area(after_three, 2, visa.x1, visa.y1, visa.x2 - visa.x1, visa.y2 - visa.y1);
    BOOST_TEST(stamp.find("Cachet électronique") != std::string::npos, stamp);

    // Filling again: the field is signed already.
    s.expect(s.seal(after_three, {{"field", "Visa"}}), 409, "conflict", "signed already");
}

BOOST_AUTO_TEST_CASE(filling_refusals) {
    Studio& s = studio();
    const auto letter = signet::test::ps2pdf_sample(s.work.path(), "refusals", 1);
    auto prepared = s.prepare(letter, json::array({field("Paul", 1, {40, 40, 260, 110}, "paul")}));
    BOOST_REQUIRE_MESSAGE(prepared.status == 200, prepared.body);
    auto with_field = s.save(prepared.json().at("document"), "for-paul");
    const int before = s.inst.hsm_signatures();
    s.expect(s.seal(with_field, {{"field", "Paul"}}), 403, "forbidden", "placed for paul");
    s.expect(s.seal(with_field, {{"field", "Absent"}}), 422, "invalid_document", "no field named Absent");
    s.expect(s.seal(with_field, {{"field", "Paul"}, {"page", 1}}), 400, "bad_request", "either 'field'");
    s.expect(s.seal(with_field, {{"field", "a.b"}}), 400, "bad_request", "appearance.field");
    BOOST_TEST(s.inst.hsm_signatures() == before);
    BOOST_TEST(s.inst.audit_entries().back().at("event") == "refusal");
}

BOOST_AUTO_TEST_CASE(preparation_refusals) {
    Studio& s = studio();
    const auto letter = signet::test::ps2pdf_sample(s.work.path(), "bad-fields", 2);
    auto prepared = s.prepare(letter, json::array({field("Existing", 1, {40, 40, 200, 100})}));
    BOOST_REQUIRE_MESSAGE(prepared.status == 200, prepared.body);
    auto with_field = s.save(prepared.json().at("document"), "existing");
    s.expect(s.prepare(with_field, json::array({field("Existing", 2, {40, 40, 200, 100})})), 422, "invalid_document",
             "field named Existing already");
    s.expect(s.prepare(letter, json::array({field("Far", 3, {40, 40, 200, 100})})), 422, "invalid_document",
             "field Far: the document has 2 pages");
    s.expect(s.prepare(letter, json::array({field("Out", 1, {500, 40, 700, 100})})), 422, "invalid_document",
             "field Out: its rectangle [500 40 700 100] lies outside page 1");
    s.expect(s.prepare(letter, json::array({field("Flat", 1, {40, 40, 200, 40})})), 422, "invalid_document",
             "field Flat: its rectangle [40 40 200 40] has no area");
    s.expect(s.prepare(letter, json::array({field("Twice", 1, {40, 40, 200, 100}), field("Twice", 2, {40, 40, 200, 100})})),
             422, "invalid_document", "Twice");
    s.expect(s.prepare(letter, json::array({field("A", 1, {40, 40, 200, 100})}), "tom"), 403, "forbidden", "");
    s.expect(s.prepare(letter, json::array()), 400, "bad_request", "'fields'");
    s.expect(s.prepare(letter, json::array({json{{"name", "x"}, {"page", 1}}})), 400, "bad_request", "rect");
    auto wrong_role = s.inst.request("POST", "/v1/prepare", "{}", "auditor");
    BOOST_TEST(wrong_role.status == 403);
    auto not_pdf = s.inst.request("POST", "/v1/prepare",
                                  json{{"tenant", "cabinet-durand"}, {"actor", "nina"}, {"document", "aGVsbG8="},
                                       {"fields", json::array({field("A", 1, {40, 40, 200, 100})})}}.dump());
    s.expect(not_pdf, 422, "invalid_document", "not a PDF");
    BOOST_TEST(s.inst.healthy());
}

BOOST_AUTO_TEST_SUITE_END()
