#pragma once
// What the guests' integration tests share: an installation whose firm invites guests, the
// co-signature request in its JSON and raw forms, the independent checks of a signed file, and
// the private keys the token holds, as pkcs11-tool lists them.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/support/fixture.hpp"

namespace signet::test {

struct GuestFirm {
    Installation inst;
    TempDir work{"signet-guests"};

    explicit GuestFirm(bool spy_on_hsm = false);

    // POST /v1/tenants/{tenant}/guests as `client`.
    HttpResult invite(const nlohmann::json& body, const std::string& tenant = "cabinet-durand",
                      const std::string& client = "platform");
    // An invitation that must succeed: {"guest_id", "code", "expires"}.
    nlohmann::json invited(const std::vector<std::string>& digests, const std::string& name = "Camille Rousseau",
                           const std::string& email = "camille.rousseau@example.fr");
    // POST /v1/cosign (JSON) of `pdf`; `extra` members are added to the body.
    HttpResult cosign(const std::string& guest_id, const std::string& code, const std::filesystem::path& pdf,
                      const nlohmann::json& extra = nlohmann::json::object(), const std::string& tenant = "cabinet-durand");
    // A sealed copy of a fresh two-page letter, saved as `name`.pdf.
    std::filesystem::path sealed_letter(const std::string& name);
    std::filesystem::path save(const std::string& document_b64, const std::string& name);

    // pdfsig, qpdf --check and openssl cms -verify: `signatures` valid, each certificate trusted.
    void validate(const std::filesystem::path& pdf, int signatures, int certificates);
    // The private-key objects of the token (pkcs11-tool --list-objects --type privkey), and the
    // labels of every object.
    int private_keys() const;
    std::string objects() const;
    // Moves guest `guest_id`'s code expiry to the past, as passing minutes would.
    void expire(const std::string& guest_id) const;
};

std::string sha256_of(const std::filesystem::path& file);
std::string base64_of(const std::filesystem::path& file);

}  // namespace signet::test
