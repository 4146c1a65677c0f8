// Every cell of the rights matrix: the shipped file's decisions against an expectation table
// transcribed separately, by hand, from shared/rights-matrix.md (plus issue 3's rule that a
// preparer's document.seal needs an approver). Two transcriptions that must agree.

#include <map>

#include <boost/test/unit_test.hpp>

#include "tests/unit/policy/tenants.hpp"

namespace {

using namespace signet;
using namespace signet::policy;
using signet::test::shipped_matrix;
using signet::test::tenant_with;
using signet::test::test_now;

// A = allow, D = deny, P = approval required. Subjects, in order:
//   cabinet: ec, collaborator+signer, +lancer, +sceller, +preparer, collaborator without delegation
//   croec:   president, secretary_general, permanent+signer, +lancer, +sceller, +preparer, permanent without
struct Row {
    const char* action;
    const char* cabinet;
    const char* croec;
};

constexpr Row expected[] = {
    {"platform.accept_terms", "ADDDDD", "ADDDDDD"},      // ec (inferred) | president only
    {"platform.manage_statistics", "ADDDDD", "DADDDDD"},  // ec only | secretary_general only
    {"platform.credit_account", "ADDDDD", "AAAAAAD"},     // ec only | all
    {"platform.manage_settings", "ADDDDD", "DADDDDD"},    // ec only | secretary_general (inferred)
    {"platform.add_users", "ADDDDD", "DADDDDD"},          // ec (inferred) | secretary_general only
    {"platform.dashboard", "AAAAAD", "AAAAAAD"},
    {"platform.download_contacts", "AAAAAD", "AAAAAAD"},
    {"platform.manage_alerts", "AAAAAD", "AAAAAAD"},
    {"signature.configure", "AAAAAD", "AAAAAAD"},
    {"signature.modify", "AAAAAD", "AAAAAAD"},
    {"signature.add_attachment", "AAAAAD", "AAAAAAD"},
    {"signature.add_signers", "AAAAAD", "AAAAAAD"},
    {"signature.remind", "AAAAAD", "AAAAAAD"},
    {"signature.cancel", "AAADDD", "AAAADDD"},            // signer, lancer
    {"signature.send", "AAADPD", "AAAADPD"},              // signer, lancer; preparer → approval
    {"signature.archive", "AAAAAD", "AAAAAAD"},
    {"signature.duplicate", "AAAAAD", "AAAAAAD"},
    {"signature.make_confidential", "AAAAAD", "AAAAAAD"},
    {"document.sign", "AADDDD", "AAADDDD"},               // signer
    {"seal.configure", "AAAAAD", "AAAAAAD"},
    {"seal.modify", "AAAAAD", "AAAAAAD"},
    {"seal.archive", "AAAAAD", "AAAAAAD"},
    {"seal.send", "AADAPD", "AAADAPD"},                   // signer, sceller; preparer → approval
    {"document.seal", "AADAPD", "AAADAPD"},               // signer, sceller; preparer → approval
};

struct Subject {
    const char* label;
    Role role;
    std::optional<std::string> right;
};

const std::vector<Subject> cabinet_subjects = {
    {"ec", Role::ec, std::nullopt},
    {"collaborator+signer", Role::collaborator, "signer"},
    {"collaborator+lancer", Role::collaborator, "lancer"},
    {"collaborator+sceller", Role::collaborator, "sceller"},
    {"collaborator+preparer", Role::collaborator, "preparer"},
    {"collaborator", Role::collaborator, std::nullopt},
};
const std::vector<Subject> croec_subjects = {
    {"president", Role::president, std::nullopt},
    {"secretary_general", Role::secretary_general, std::nullopt},
    {"permanent+signer", Role::permanent, "signer"},
    {"permanent+lancer", Role::permanent, "lancer"},
    {"permanent+sceller", Role::permanent, "sceller"},
    {"permanent+preparer", Role::permanent, "preparer"},
    {"permanent", Role::permanent, std::nullopt},
};

std::pair<TenantKind, char> cell(TenantKind kind, char code) { return {kind, code}; }

char code_of(Verdict verdict) {
    switch (verdict) {
        case Verdict::allow: return 'A';
        case Verdict::deny: return 'D';
        case Verdict::approval_required: return 'P';
    }
    return '?';
}

}  // namespace

BOOST_AUTO_TEST_SUITE(matrix_cells)

BOOST_AUTO_TEST_CASE(the_file_has_the_24_actions_and_the_4_delegations) {
    std::vector<std::string> actions;
    for (const auto& row : expected) actions.emplace_back(row.action);
    BOOST_TEST(shipped_matrix().actions() == actions, boost::test_tools::per_element());
    BOOST_TEST(shipped_matrix().delegations() == (std::vector<std::string>{"signer", "lancer", "sceller", "preparer"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_action_for_every_subject_in_both_kinds) {
    std::map<std::pair<TenantKind, char>, int> counted;
    std::map<std::pair<TenantKind, char>, int> transcribed;
    for (const auto& row : expected) {
        for (auto [kind, subjects, cells] :
             {std::tuple{TenantKind::cabinet, &cabinet_subjects, row.cabinet},
              std::tuple{TenantKind::croec, &croec_subjects, row.croec}}) {
            BOOST_REQUIRE(std::string(cells).size() == subjects->size());
            for (std::size_t i = 0; i < subjects->size(); ++i) {
                const Subject& subject = (*subjects)[i];
                BOOST_TEST_CONTEXT(row.action << " / " << to_string(kind) << " / " << subject.label) {
                    auto view = tenant_with(kind, subject.role, subject.right);
                    auto decision = decide(shipped_matrix(), &view, "m", row.action, test_now);
                    BOOST_TEST(code_of(decision.verdict) == cells[i], decision.reason);
                    BOOST_TEST(!decision.reason.empty());
                    if (decision.verdict == Verdict::approval_required) {
                        auto approvers = kind == TenantKind::cabinet ? std::vector<std::string>{"ec"}
                                                                     : std::vector<std::string>{"pres", "sg"};
                        BOOST_TEST(decision.approvers == approvers, boost::test_tools::per_element());
                    }
                    ++counted[cell(kind, code_of(decision.verdict))];
                    ++transcribed[cell(kind, cells[i])];
                }
            }
        }
    }
    BOOST_TEST((counted == transcribed));
    for (TenantKind kind : {TenantKind::cabinet, TenantKind::croec}) {
        BOOST_TEST_MESSAGE(to_string(kind) << ": allow " << counted[cell(kind, 'A')] << ", deny " << counted[cell(kind, 'D')]
                                           << ", approval_required " << counted[cell(kind, 'P')]);
    }
    // The totals the issue note reports, from the transcription above.
    BOOST_TEST(transcribed[cell(TenantKind::cabinet, 'A')] == 89);
    BOOST_TEST(transcribed[cell(TenantKind::cabinet, 'D')] == 52);
    BOOST_TEST(transcribed[cell(TenantKind::cabinet, 'P')] == 3);
    BOOST_TEST(transcribed[cell(TenantKind::croec, 'A')] == 113);
    BOOST_TEST(transcribed[cell(TenantKind::croec, 'D')] == 52);
    BOOST_TEST(transcribed[cell(TenantKind::croec, 'P')] == 3);
}

BOOST_AUTO_TEST_CASE(strangers_and_unregistered_tenants_are_denied) {
    auto view = tenant_with(TenantKind::cabinet, Role::collaborator, "sceller");
    auto stranger = decide(shipped_matrix(), &view, "mallory", "platform.dashboard", test_now);
    BOOST_TEST((stranger.verdict == Verdict::deny));
    BOOST_TEST(stranger.reason.find("not a member") != std::string::npos, stranger.reason);
    auto nowhere = decide(shipped_matrix(), nullptr, "m", "platform.dashboard", test_now);
    BOOST_TEST((nowhere.verdict == Verdict::deny));
    BOOST_TEST(nowhere.reason.find("not registered") != std::string::npos, nowhere.reason);
}

BOOST_AUTO_TEST_SUITE_END()
