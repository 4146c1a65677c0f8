#pragma once
// The rights matrix as data: which roles and delegations may take each action, per tenant
// kind, read from a TOML file shipped with signet (policy/rights-matrix.toml). A new delegation
// or action is an edit of that file; the loader validates it completely and names the line of
// the first problem, so a broken file stops the daemon at start.

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// Who may take one action in one tenant kind. `allowed` holds roles and delegations (the
// file's "all" is expanded to the kind's principals and every delegation); `with_approval`
// holds delegations whose holders may take the action once an approver agrees.
struct Cell {
    std::set<std::string> allowed;
    std::set<std::string> with_approval;
};

// The structure of one tenant kind.
struct KindRules {
    std::vector<Role> principals;  // hold every right of the tenant unless a cell says otherwise
    std::vector<Role> members;     // have only what is delegated to them
    std::vector<Role> grantors;    // grant, deactivate, prolong delegations; accept requests
    std::vector<Role> approvers;   // approve what a preparer launches
};

class Matrix {
public:
    // `source` names the text in messages (the file's path).
    static Result<Matrix> parse(std::string_view text, std::string_view source);
    static Result<Matrix> load(const std::filesystem::path& file);

    const std::vector<std::string>& delegations() const { return delegations_; }
    const std::vector<std::string>& actions() const { return actions_; }
    bool has_delegation(std::string_view id) const;
    bool has_action(std::string_view id) const;
    const KindRules& rules(TenantKind kind) const;
    // The cell of a known action (has_action first).
    const Cell& cell(std::string_view action, TenantKind kind) const;

private:
    std::vector<std::string> delegations_;
    std::vector<std::string> actions_;  // in file order
    std::map<TenantKind, KindRules> rules_;
    std::map<std::pair<std::string, TenantKind>, Cell, std::less<>> cells_;
};

}  // namespace signet::policy
