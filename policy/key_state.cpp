#include "policy/key_state.hpp"

#include <string>

#include "policy/enum_names.hpp"

namespace signet::policy {
namespace {

constexpr EnumNames<KeyState, 5> state_names = {{
    {KeyState::pending, "pending"},
    {KeyState::ready, "ready"},
    {KeyState::active, "active"},
    {KeyState::retired, "retired"},
    {KeyState::destroyed, "destroyed"},
}};

constexpr EnumNames<KeyPurpose, 5> purpose_names = {{
    {KeyPurpose::seal, "seal"},
    {KeyPurpose::audit, "audit"},
    {KeyPurpose::personal, "personal"},
    {KeyPurpose::tsa, "tsa"},
    {KeyPurpose::guest_ca, "guest-ca"},
}};

std::unexpected<Error> refuse(KeyState current, KeyChange change, std::string_view why) {
    return fail(Errc::conflict, "a " + std::string(to_string(current)) + " key cannot be " +
                                    std::string(change == KeyChange::import_certificate ? "given a certificate"
                                                                                        : to_string(change)) +
                                    ": " + std::string(why));
}

}  // namespace

std::optional<KeyState> parse_key_state(std::string_view text) { return parse_name(state_names, text); }
std::string_view to_string(KeyState state) { return name_of(state_names, state); }
std::optional<KeyPurpose> parse_key_purpose(std::string_view text) { return parse_name(purpose_names, text); }
std::string_view to_string(KeyPurpose purpose) { return name_of(purpose_names, purpose); }

std::string_view to_string(KeyChange change) {
    switch (change) {
        case KeyChange::import_certificate: return "import_certificate";
        case KeyChange::activate: return "activated";
        case KeyChange::retire: return "retired";
        case KeyChange::destroy: return "destroyed";
    }
    return "?";
}

Result<KeyState> next_state(KeyState current, KeyChange change) {
    switch (change) {
        case KeyChange::import_certificate:
            // A certificate may be replaced until the key is put to use.
            if (current == KeyState::pending || current == KeyState::ready) return KeyState::ready;
            return refuse(current, change, "its certificate is fixed once it has been active");
        case KeyChange::activate:
            if (current == KeyState::ready) return KeyState::active;
            if (current == KeyState::pending) return refuse(current, change, "import its certificate first");
            return refuse(current, change, "only a ready key can be activated");
        case KeyChange::retire:
            if (current == KeyState::active || current == KeyState::ready) return KeyState::retired;
            return refuse(current, change, "only an active or ready key can be retired");
        case KeyChange::destroy:
            if (current == KeyState::active) return refuse(current, change, "retire it first (activate its successor)");
            if (current == KeyState::destroyed) return refuse(current, change, "it is destroyed already");
            return KeyState::destroyed;
    }
    return fail(Errc::internal, "unknown key change");
}

bool needs_second_officer(KeyPurpose purpose, KeyChange change) {
    return purpose != KeyPurpose::personal && change != KeyChange::import_certificate;
}

bool may_sign_documents(KeyState state) { return state == KeyState::active; }

}  // namespace signet::policy
