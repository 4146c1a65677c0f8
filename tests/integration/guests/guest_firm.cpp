#include "tests/integration/guests/guest_firm.hpp"

#include <boost/test/unit_test.hpp>

#include "store/database.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"

namespace signet::test {

using nlohmann::json;

GuestFirm::GuestFirm(bool spy_on_hsm) : inst(spy_on_hsm) {}

HttpResult GuestFirm::invite(const json& body, const std::string& tenant, const std::string& client) {
    return inst.request("POST", "/v1/tenants/" + tenant + "/guests", body.dump(), client);
}

json GuestFirm::invited(const std::vector<std::string>& digests, const std::string& name, const std::string& email) {
    auto reply = invite(json{{"email", email}, {"name", name}, {"documents_sha256", digests}});
    BOOST_REQUIRE_MESSAGE(reply.status == 201, reply.body);
    return reply.json();
}

HttpResult GuestFirm::cosign(const std::string& guest_id, const std::string& code, const std::filesystem::path& pdf,
                             const json& extra, const std::string& tenant) {
    json body{{"tenant", tenant}, {"guest_id", guest_id}, {"code", code}, {"document", base64_of(pdf)}};
    body.update(extra);
    return inst.request("POST", "/v1/cosign", body.dump());
}

std::filesystem::path GuestFirm::save(const std::string& document_b64, const std::string& name) {
    const auto file = work / (name + ".pdf");
    write_file(file, run({"base64", "-d"}, document_b64).output);
    return file;
}

std::filesystem::path GuestFirm::sealed_letter(const std::string& name) {
    const auto letter = ps2pdf_sample(work.path(), name + "-letter", 2);
    auto sealed = inst.request("POST", "/v1/seal",
                               json{{"tenant", "cabinet-durand"}, {"actor", "marie.durand"}, {"document", base64_of(letter)}}.dump());
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
    return save(sealed.json().at("document"), name);
}

void GuestFirm::validate(const std::filesystem::path& pdf, int signatures, int certificates) {
    auto report = pdfsig(inst.nss_db, pdf);
    BOOST_TEST(report.valid == signatures, report.output);
    BOOST_TEST(report.trusted == certificates, report.output);
    auto [qpdf_exit, qpdf_output] = qpdf_check(pdf);
    BOOST_TEST(qpdf_exit == 0, qpdf_output);
    auto cms = openssl_verify_all(pdf, inst.install / "pki" / "signing-ca.pem", work.path());
    BOOST_TEST(cms.verified == signatures);
    for (const auto& failure : cms.failures) BOOST_ERROR(failure);
}

std::string GuestFirm::objects() const {
    auto listed = run({"pkcs11-tool", "--module", SIGNET_SOFTHSM_MODULE, "--token-label", "signet-dev", "--login", "--pin",
                       read_file(inst.install / "secrets" / "user-pin"), "--list-objects"},
                      {}, {"SOFTHSM2_CONF=" + (inst.install / "softhsm2.conf").string()});
    BOOST_REQUIRE_MESSAGE(listed.exit_code == 0, listed.output);
    return listed.output;
}

int GuestFirm::private_keys() const {
    const std::string listed = objects();
    int count = 0;
    for (auto at = listed.find("Private Key Object"); at != std::string::npos; at = listed.find("Private Key Object", at + 1)) {
        ++count;
    }
    return count;
}

void GuestFirm::expire(const std::string& guest_id) const {
    auto db = inst.open_store();
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto update = db.prepare("UPDATE guests SET expires_at = ? WHERE guest_id = ?");
    if (!update || !update->bind(1, now - 1).bind(2, guest_id).run()) throw std::runtime_error("cannot expire " + guest_id);
}

std::string sha256_of(const std::filesystem::path& file) {
    auto digest = run({"sha256sum", file.string()});
    BOOST_REQUIRE(digest.exit_code == 0);
    return digest.output.substr(0, 64);
}

std::string base64_of(const std::filesystem::path& file) { return run({"base64", "-w0", file.string()}).output; }

}  // namespace signet::test
