#include "policy/matrix.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace signet::policy {
namespace {

constexpr std::array<TenantKind, 2> all_kinds = {TenantKind::cabinet, TenantKind::croec};
constexpr std::array<Role, 5> all_roles = {Role::ec, Role::president, Role::secretary_general,
                                           Role::collaborator, Role::permanent};

bool is_identifier(std::string_view text, bool dots_allowed) {
    if (text.empty()) return false;
    return std::all_of(text.begin(), text.end(), [&](char ch) {
        return (ch >= 'a' && ch <= 'z') || ch == '_' || (dots_allowed && ch == '.');
    });
}

bool contains(const std::vector<Role>& roles, Role role) {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// Builds the matrix from the parsed file; every refusal names the line of the node at fault.
class Reader {
public:
    explicit Reader(std::string_view source) : source_(source) {}

    std::unexpected<Error> error(const toml::node* node, std::string_view problem) const {
        std::string where(source_);
        if (node != nullptr && node->source().begin.line > 0) {
            where += ", line " + std::to_string(node->source().begin.line);
        }
        return fail(Errc::invalid_config, where + ": " + std::string(problem));
    }

    Result<std::vector<std::string>> names(const toml::node* node, std::string_view what) const {
        const toml::array* array = node != nullptr ? node->as_array() : nullptr;
        if (array == nullptr) return error(node, std::string(what) + " must be an array of names");
        std::vector<std::string> out;
        for (const toml::node& item : *array) {
            auto text = item.value<std::string>();
            if (!text || text->empty()) return error(&item, std::string(what) + " must hold names");
            if (std::find(out.begin(), out.end(), *text) != out.end()) {
                return error(&item, "\"" + *text + "\" appears twice in " + std::string(what));
            }
            out.push_back(*text);
        }
        return out;
    }

    Result<std::vector<Role>> roles(const toml::table& kind_table, std::string_view key,
                                    TenantKind kind) const {
        const toml::node* node = kind_table.get(key);
        std::string what = "kinds." + std::string(to_string(kind)) + "." + std::string(key);
        if (node == nullptr) return error(&kind_table, what + " is missing");
        auto list = names(node, what);
        if (!list) return std::unexpected(list.error());
        std::vector<Role> out;
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto role = parse_role((*list)[i]);
            const toml::node* item = node->as_array()->get(i);
            if (!role) return error(item, "\"" + (*list)[i] + "\" is not a role");
            if (tenant_kind_of(*role) != kind) {
                return error(item, "role " + (*list)[i] + " does not exist in a " +
                                       std::string(to_string(kind)));
            }
            out.push_back(*role);
        }
        return out;
    }

    Result<KindRules> kind_rules(const toml::node* node, TenantKind kind) const {
        const toml::table* table = node != nullptr ? node->as_table() : nullptr;
        std::string name(to_string(kind));
        if (table == nullptr) return error(node, "kinds." + name + " must be a table");
        for (const auto& [key, value] : *table) {
            if (key != "principals" && key != "members" && key != "grantors" && key != "approvers") {
                return error(&value, "kinds." + name + " has an unknown key \"" +
                                         std::string(key.str()) + "\"");
            }
        }
        KindRules rules;
        auto principals = roles(*table, "principals", kind);
        if (!principals) return std::unexpected(principals.error());
        auto members = roles(*table, "members", kind);
        if (!members) return std::unexpected(members.error());
        auto grantors = roles(*table, "grantors", kind);
        if (!grantors) return std::unexpected(grantors.error());
        auto approvers = roles(*table, "approvers", kind);
        if (!approvers) return std::unexpected(approvers.error());
        rules = KindRules{*principals, *members, *grantors, *approvers};
        for (Role role : all_roles) {
            if (tenant_kind_of(role) != kind) continue;
            if (contains(rules.principals, role) == contains(rules.members, role)) {
                return error(table, "role " + std::string(to_string(role)) +
                                        " must be in exactly one of kinds." + name +
                                        ".principals and .members");
            }
        }
        for (const auto* list : {&rules.grantors, &rules.approvers}) {
            if (list->empty()) return error(table, "kinds." + name + " needs grantors and approvers");
            for (Role role : *list) {
                if (!contains(rules.principals, role)) {
                    return error(table, "kinds." + name + ": only principals grant and approve, not " +
                                            std::string(to_string(role)));
                }
            }
        }
        return rules;
    }

    // One cell: an array of names (who may act) or {allow = [...], approval = [...]}.
    Result<Cell> cell(const toml::node* node, std::string_view action, TenantKind kind,
                      const KindRules& rules, const std::vector<std::string>& delegations) const {
        std::string where = std::string(action) + "." + std::string(to_string(kind));
        if (node == nullptr) return error(nullptr, "action " + where + " is missing");
        const toml::node* allow = node;
        const toml::node* approval = nullptr;
        if (const toml::table* table = node->as_table()) {
            for (const auto& [key, value] : *table) {
                if (key != "allow" && key != "approval") {
                    return error(&value, where + " has an unknown key \"" + std::string(key.str()) + "\"");
                }
            }
            allow = table->get("allow");
            approval = table->get("approval");
            if (allow == nullptr) return error(node, where + ".allow is missing");
        }
        Cell cell;
        auto allowed = names(allow, where);
        if (!allowed) return std::unexpected(allowed.error());
        for (std::size_t i = 0; i < allowed->size(); ++i) {
            const std::string& name = (*allowed)[i];
            const toml::node* item = allow->as_array()->get(i);
            if (name == "all") {
                for (Role role : rules.principals) cell.allowed.insert(std::string(to_string(role)));
                cell.allowed.insert(delegations.begin(), delegations.end());
            } else if (std::find(delegations.begin(), delegations.end(), name) != delegations.end()) {
                cell.allowed.insert(name);
            } else if (auto role = parse_role(name); role && contains(rules.principals, *role)) {
                cell.allowed.insert(name);
            } else if (role && contains(rules.members, *role)) {
                return error(item, where + ": role " + name +
                                       " holds only what is delegated to it; name a delegation");
            } else {
                return error(item, where + ": \"" + name + "\" is neither a delegation nor a principal of a " +
                                       std::string(to_string(kind)));
            }
        }
        if (approval != nullptr) {
            auto approved = names(approval, where + ".approval");
            if (!approved) return std::unexpected(approved.error());
            for (std::size_t i = 0; i < approved->size(); ++i) {
                const std::string& name = (*approved)[i];
                if (std::find(delegations.begin(), delegations.end(), name) == delegations.end()) {
                    return error(approval->as_array()->get(i),
                                 where + ".approval: \"" + name + "\" is not a delegation");
                }
                if (cell.allowed.contains(name)) {
                    return error(approval->as_array()->get(i),
                                 where + ": \"" + name + "\" is both allowed and subject to approval");
                }
                cell.with_approval.insert(name);
            }
        }
        return cell;
    }

private:
    std::string_view source_;
};

}  // namespace

Result<Matrix> Matrix::parse(std::string_view text, std::string_view source) {
    Reader reader(source);
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        return fail(Errc::invalid_config, std::string(source) + ", line " +
                                              std::to_string(e.source().begin.line) + ": " +
                                              std::string(e.description()));
    }
    for (const auto& [key, value] : root) {
        if (key != "format" && key != "delegations" && key != "kinds" && key != "actions") {
            return reader.error(&value, "unknown key \"" + std::string(key.str()) + "\"");
        }
    }
    if (root["format"].value<std::int64_t>() != 1) {
        return reader.error(root.get("format"), "format = 1 is required (the only format there is)");
    }

    Matrix matrix;
    auto delegations = reader.names(root.get("delegations"), "delegations");
    if (!delegations) return std::unexpected(delegations.error());
    for (std::size_t i = 0; i < delegations->size(); ++i) {
        const std::string& id = (*delegations)[i];
        if (!is_identifier(id, false) || id == "all" || parse_role(id)) {
            return reader.error(root["delegations"].as_array()->get(i),
                                "\"" + id + "\" cannot be a delegation id (lowercase letters and _, "
                                            "not a role, not \"all\")");
        }
    }
    matrix.delegations_ = std::move(*delegations);

    const toml::table* kinds = root["kinds"].as_table();
    if (kinds == nullptr) return reader.error(nullptr, "the [kinds] tables are missing");
    for (const auto& [key, value] : *kinds) {
        if (!parse_tenant_kind(key.str())) {
            return reader.error(&value, "\"" + std::string(key.str()) + "\" is not a tenant kind");
        }
    }
    for (TenantKind kind : all_kinds) {
        const toml::node* node = kinds->get(to_string(kind));
        if (node == nullptr) return reader.error(kinds, "[kinds." + std::string(to_string(kind)) + "] is missing");
        auto rules = reader.kind_rules(node, kind);
        if (!rules) return std::unexpected(rules.error());
        matrix.rules_[kind] = std::move(*rules);
    }

    const toml::table* actions = root["actions"].as_table();
    if (actions == nullptr || actions->empty()) return reader.error(nullptr, "there are no [actions]");
    std::vector<std::pair<std::size_t, std::string>> ordered;  // toml++ sorts keys; keep the file's order
    for (const auto& [key, value] : *actions) {
        std::string id(key.str());
        const toml::table* table = value.as_table();
        if (!is_identifier(id, true) || table == nullptr) {
            return reader.error(&value, "action \"" + id + "\" must be a table named by a lowercase id");
        }
        for (const auto& [kind_key, cell_node] : *table) {
            if (!parse_tenant_kind(kind_key.str())) {
                return reader.error(&cell_node, id + ": \"" + std::string(kind_key.str()) + "\" is not a tenant kind");
            }
        }
        for (TenantKind kind : all_kinds) {
            const toml::node* cell_node = table->get(to_string(kind));
            if (cell_node == nullptr) {
                return reader.error(table, "action " + id + " has no " + std::string(to_string(kind)) + " cell");
            }
            auto cell = reader.cell(cell_node, id, kind, matrix.rules_[kind], matrix.delegations_);
            if (!cell) return std::unexpected(cell.error());
            matrix.cells_[{id, kind}] = std::move(*cell);
        }
        ordered.emplace_back(value.source().begin.line, id);
    }
    std::sort(ordered.begin(), ordered.end());
    for (auto& [line, id] : ordered) matrix.actions_.push_back(std::move(id));
    return matrix;
}

Result<Matrix> Matrix::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errc::invalid_config, file.string() + ": cannot read the rights matrix");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), file.string());
}

bool Matrix::has_delegation(std::string_view id) const {
    return std::find(delegations_.begin(), delegations_.end(), id) != delegations_.end();
}

bool Matrix::has_action(std::string_view id) const {
    return std::find(actions_.begin(), actions_.end(), id) != actions_.end();
}

const KindRules& Matrix::rules(TenantKind kind) const { return rules_.at(kind); }

const Cell& Matrix::cell(std::string_view action, TenantKind kind) const {
    return cells_.find(std::pair<std::string, TenantKind>(std::string(action), kind))->second;
}

}  // namespace signet::policy
