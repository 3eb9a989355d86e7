// models/app/input/scenario_loader.cpp: reading, merging and validating scenario files.
#include "models/app/input/scenario_loader.hpp"
#include "models/app/input/yaml_input.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <type_traits>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "sim/calendar.hpp"
#include "sim/random.hpp"

namespace govsim {
namespace fs = std::filesystem;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

namespace {

// Limits on what a scenario file may be. Hand-written scenarios are small; the
// limits keep every step below linear-ish in the input, so that a hostile or
// broken file is refused in milliseconds instead of exhausting time or memory.
constexpr std::uintmax_t kMaxFileBytes = 8u << 20;
constexpr int kMaxDepth = 64;                  // nesting, counted after expanding aliases
constexpr std::uint64_t kMaxNodes = 1000000;  // nodes, counted after expanding aliases
constexpr std::size_t kMaxKeys = 1000;         // keys in one mapping (yaml-cpp looks keys up linearly)
constexpr std::size_t kMaxChain = 32;          // files in one `extends` chain

/// Which file each merged path came from, so that errors name the right file.
struct Provenance {
  std::map<std::string, std::string> file_of;  // dotted path -> file
  std::map<std::string, YAML::Mark> key_mark;  // dotted path -> where its key was written
  std::string root;
  static std::string bare(const std::string& path) {
    return path.rfind("scenario.", 0) == 0 ? path.substr(9) : path;
  }
  std::string file(const std::string& path) const {
    // The top-level reader names its paths "scenario.<key>"; provenance stores "<key>".
    std::string p = bare(path);
    while (true) {
      auto it = file_of.find(p);
      if (it != file_of.end()) return it->second;
      const auto dot = p.rfind('.');
      if (dot == std::string::npos) break;
      p.resize(dot);
    }
    auto it = file_of.find(p);
    return it != file_of.end() ? it->second : root;
  }
};

[[noreturn]] void fail_at(const Provenance& prov, const std::string& path, const YAML::Node& node,
                          const std::string& message) {
  const std::string file = prov.file(path);
  int line = 0, column = 0;
  // A value from `--set` has positions inside the value text only: not worth showing.
  if (node.IsDefined() && file.rfind("--set ", 0) != 0) {
    const YAML::Mark m = node.Mark();
    if (m.line >= 0) {
      line = m.line + 1;
      column = m.column + 1;
    }
  }
  throw ScenarioError(file, line, column, message);
}

[[noreturn]] void fail_mark(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  throw ScenarioError(file, mark.line >= 0 ? mark.line + 1 : 0, mark.line >= 0 ? mark.column + 1 : 0, message);
}

/// A first pass over the parser's events, before any tree is built or walked.
///
/// yaml-cpp shares aliased nodes, so a "billion laughs" file of a few hundred
/// bytes parses instantly into a tree whose every walk (depth checks,
/// provenance, merging, reading) is exponential. This pass counts nodes and
/// depth as they would be after expanding aliases (arithmetic only: it never
/// expands anything), and refuses the file at the alias that crosses a limit.
/// It also catches what yaml-cpp accepts silently: duplicate keys (lookups
/// see the first), keys that are not text, aliases to a node that contains
/// them, and a quoted text never closed. The first problem is kept and raised
/// after the pass, so that a plain syntax error, which yaml-cpp throws during
/// the pass, is the one reported when there is one.
class StructureGuard : public YAML::EventHandler {
 public:
  StructureGuard(const std::string& text, const std::string& file) : text_(text), file_(file) {}

  /// Throws the first problem found, if any.
  void raise() const {
    if (problem_) fail_mark(file_, problem_->first, problem_->second);
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (key_expected()) note(mark, "a key cannot be empty or null");
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (key_expected()) note(mark, "a key must be text, not an alias");
    Anchored a{1, 1, true};
    if (anchor < anchors_.size() && anchors_[anchor].complete)
      a = anchors_[anchor];
    else
      note(mark, "an alias refers to a node that contains it (a recursive alias)");
    if (depth() + a.height > kMaxDepth)
      note(mark, "the document nests deeper than " + std::to_string(kMaxDepth) + " levels once its aliases are expanded");
    add(mark, a.nodes, "aliases expand the document to more than " + std::to_string(kMaxNodes) + " nodes (an alias bomb?)");
    child_done(a.nodes, a.height);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (tag == "!") check_closed(mark);
    if (key_expected()) {
      if (value.empty()) note(mark, "a key cannot be empty or null");
      Frame& f = stack_.back();
      const auto [it, fresh] = f.keys.emplace(value, mark);
      if (!fresh)
        note(mark, "duplicate key `" + value + "` (first at line " + std::to_string(it->second.line + 1) +
                       "); the second would be silently ignored");
      if (f.keys.size() > kMaxKeys) note(mark, "more than " + std::to_string(kMaxKeys) + " keys in one mapping");
    }
    leaf(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

 private:
  // Counts saturate here: an alias bomb's true size does not fit in 64 bits.
  static constexpr std::uint64_t kSaturated = std::uint64_t{1} << 62;
  static std::uint64_t sum(std::uint64_t a, std::uint64_t b) { return std::min(kSaturated, a + b); }

  struct Frame {
    bool is_map = false;
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::uint64_t nodes = 1;  // this node and everything below it, aliases expanded
    int height = 1;           // levels, this one included
    std::uint64_t children = 0;
    std::map<std::string, YAML::Mark> keys;
  };
  struct Anchored {
    std::uint64_t nodes = 0;
    int height = 0;
    bool complete = false;
  };

  void note(const YAML::Mark& mark, const std::string& message) {
    if (!problem_) problem_.emplace(mark, message);
  }
  int depth() const { return static_cast<int>(stack_.size()); }
  bool key_expected() const { return !stack_.empty() && stack_.back().is_map && stack_.back().children % 2 == 0; }

  void add(const YAML::Mark& mark, std::uint64_t nodes, const std::string& message) {
    total_ = sum(total_, nodes);
    if (total_ > kMaxNodes) note(mark, message);
  }
  void remember(YAML::anchor_t anchor, std::uint64_t nodes, int height, bool complete) {
    if (anchor == YAML::NullAnchor) return;
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
    anchors_[anchor] = Anchored{nodes, height, complete};
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    add(mark, 1, "the document has more than " + std::to_string(kMaxNodes) + " nodes");
    remember(anchor, 1, 1, true);
    child_done(1, 1);
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    if (key_expected()) note(mark, "a key must be text, not a list or mapping");
    // At once, not deferred: yaml-cpp's own guard would stop it at 2,000 levels with "bad file".
    if (depth() + 1 > kMaxDepth)
      fail_mark(file_, mark, "the document nests deeper than " + std::to_string(kMaxDepth) + " levels");
    add(mark, 1, "the document has more than " + std::to_string(kMaxNodes) + " nodes");
    remember(anchor, 0, 0, false);  // an alias to it from inside would be recursive
    Frame f;
    f.is_map = is_map;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }
  void close() {
    const Frame f = std::move(stack_.back());
    stack_.pop_back();
    remember(f.anchor, f.nodes, f.height, true);
    child_done(f.nodes, f.height);
  }
  void child_done(std::uint64_t nodes, int height) {
    if (stack_.empty()) return;
    Frame& parent = stack_.back();
    ++parent.children;
    parent.nodes = sum(parent.nodes, nodes);
    parent.height = std::max(parent.height, std::min(height, kMaxDepth) + 1);
  }
  // yaml-cpp takes a quote that is never closed to run to the end of the file,
  // which turns a typo into a baffling "needs `request_types`".
  void check_closed(const YAML::Mark& mark) {
    if (mark.pos < 0) return;
    std::size_t i = static_cast<std::size_t>(mark.pos);
    while (i < text_.size() && (text_[i] == '&' || text_[i] == '!')) {  // the node's anchor or tag
      while (i < text_.size() && text_[i] != ' ' && text_[i] != '\t' && text_[i] != '\n') ++i;
      while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) ++i;
    }
    if (i >= text_.size() || (text_[i] != '"' && text_[i] != '\'')) return;
    const char quote = text_[i];
    for (++i; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is an escaped quote
          continue;
        }
        return;
      }
    }
    note(mark, std::string("a ") + (quote == '"' ? "double" : "single") +
                   "-quoted text is never closed: the quote runs to the end of the file");
  }

  const std::string& text_;
  const std::string& file_;
  std::vector<Frame> stack_;
  std::vector<Anchored> anchors_;
  std::uint64_t total_ = 0;
  std::optional<std::pair<YAML::Mark, std::string>> problem_;
};

/// Rejects a document that yaml-cpp would parse but no walk should touch; see StructureGuard.
class SecondDocument : public YAML::EventHandler {
 public:
  explicit SecondDocument(const std::string& file) : file_(file) {}
  void OnDocumentStart(const YAML::Mark& mark) override {
    fail_mark(file_, mark, "a second YAML document (after `---`): a scenario file holds one");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  const std::string& file_;
};

/// yaml-cpp's complaint about a tab in the indentation never mentions the tab.
std::string tab_hint(const std::string& text, const YAML::Mark& mark) {
  if (mark.pos < 0) return "";
  // The error is reported on the tab's line or on the line after it.
  std::size_t end = std::min(text.size(), static_cast<std::size_t>(mark.pos));
  for (int lines = 0; lines < 2 && end > 0; ++lines) {
    const std::size_t begin = text.rfind('\n', end - 1) == std::string::npos ? 0 : text.rfind('\n', end - 1) + 1;
    for (std::size_t i = begin; i < text.size() && (text[i] == ' ' || text[i] == '\t'); ++i)
      if (text[i] == '\t') return " (a tab indents this line: YAML indents with spaces only)";
    if (begin == 0) break;
    end = begin - 1;
  }
  return "";
}

/// Parses YAML text: the guard first, then yaml-cpp's tree. Errors name `file`.
YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  if (text.find('\0') != std::string::npos) throw ScenarioError(file, 0, 0, "binary data: not a YAML text file");
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    StructureGuard guard(text, file);
    parser.HandleNextDocument(guard);
    guard.raise();
    SecondDocument second(file);
    parser.HandleNextDocument(second);
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own limit; its message says "bad file"
    fail_mark(file, e.mark, "the document nests too deeply");
  } catch (const YAML::Exception& e) {
    fail_mark(file, e.mark, "malformed YAML: " + e.msg + tab_hint(text, e.mark));
  }
}

/// The text of a scenario file, refusing what cannot be one before reading it.
std::string read_text(const std::string& file) {
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (status.type() == fs::file_type::not_found) throw ScenarioError(file, 0, 0, "no such file");
  if (ec) throw ScenarioError(file, 0, 0, "cannot read: " + ec.message());
  if (fs::is_directory(status)) throw ScenarioError(file, 0, 0, "is a folder, not a scenario file");
  // Devices and pipes could block or never end (/dev/zero, a FIFO nobody writes).
  if (!fs::is_regular_file(status)) throw ScenarioError(file, 0, 0, "is not a regular file");
  const auto size = fs::file_size(file, ec);
  if (ec) throw ScenarioError(file, 0, 0, "cannot read: " + ec.message());
  const std::string too_big = "; scenario files are limited to " + std::to_string(kMaxFileBytes) + " bytes";
  if (size > kMaxFileBytes) throw ScenarioError(file, 0, 0, "file is " + std::to_string(size) + " bytes" + too_big);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ScenarioError(file, 0, 0, "cannot open for reading");
  // Read in chunks, at most one past the limit: some regular files (/proc) report size 0. (Not one
  // buffer of the limit's size: zeroing 8 MiB per file was a cost paid by every run of a sweep or calibration.)
  std::string text;
  text.reserve(static_cast<std::size_t>(size) + 1);
  char chunk[1 << 16];
  while (in && text.size() <= kMaxFileBytes) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw ScenarioError(file, 0, 0, "cannot read");
  if (text.size() > kMaxFileBytes) throw ScenarioError(file, 0, 0, "file is larger than the limit" + too_big);
  return text;
}

/// One file of a chain, parsed: a non-empty mapping.
YAML::Node parse_scenario(const std::string& text, const std::string& file) {
  YAML::Node node = parse_yaml(text, file);
  if (node.IsNull()) {
    if (text.empty()) throw ScenarioError(file, 0, 0, "the file is empty");
    throw ScenarioError(file, 0, 0, "the file is empty of YAML: its " + std::to_string(text.size()) +
                                        " bytes are white space, line breaks or comments");
  }
  if (!node.IsMap()) fail_mark(file, node.Mark(), "a scenario must be a mapping of keys to values");
  return node;
}

void record_provenance(const YAML::Node& node, const std::string& path, const std::string& file, Provenance& prov) {
  prov.file_of[path] = file;
  if (node.IsMap())
    for (const auto& kv : node) record_provenance(kv.second, path + "." + kv.first.Scalar(), file, prov);
}

/// In a file that extends another, an entry of `units` or `request_types`
/// that the chain above does not define is a new one only if it says so
/// (`kind:` for a unit group, `deadline_h:` or `deadline_working_days:` for a
/// request type); otherwise
/// it is taken for a misspelt name, which would silently add an idle group
/// or an unused type.
void check_new_entries(const YAML::Node& base, const YAML::Node& over, const std::string& file) {
  struct Collection {
    const char* key;
    const char* what;
    const char* marker;
  };
  for (const Collection c : {Collection{"units", "unit group", "kind"}, Collection{"request_types", "request type", "deadline_h"}}) {
    const YAML::Node theirs = base[c.key], ours = over[c.key];
    if (!theirs.IsDefined() || !theirs.IsMap() || !ours.IsDefined() || !ours.IsMap()) continue;
    for (const auto& kv : ours) {
      const std::string name = kv.first.Scalar();
      if (kv.second.IsNull() || theirs[name].IsDefined()) continue;
      if (kv.second.IsMap() && kv.second[c.marker].IsDefined()) continue;
      if (kv.second.IsMap() && std::string(c.key) == "request_types" && kv.second["deadline_working_days"].IsDefined())
        continue;  // the other way to give a deadline
      std::string best;
      std::size_t distance = 1000;
      for (const auto& t : theirs)
        if (const std::size_t d = edit_distance(name, t.first.Scalar()); d < distance) distance = d, best = t.first.Scalar();
      std::string message = "`" + name + "` is no " + std::string(c.what) + " of the scenario this file extends";
      if (!best.empty() && distance <= std::max<std::size_t>(3, name.size() / 3)) message += "; did you mean `" + best + "`?";
      message += " (a new " + std::string(c.what) + " in an extending file must give `" + c.marker + ":`)";
      fail_mark(file, kv.first.Mark(), message);
    }
  }
}

/// Deep-merges `over` into `base` (both maps). Null removes a key.
void merge_into(YAML::Node base, const YAML::Node& over, const std::string& path, const std::string& file,
                Provenance& prov) {
  for (const auto& kv : over) {
    const std::string key = kv.first.Scalar();
    const std::string child = path.empty() ? key : path + "." + key;
    if (kv.second.IsNull()) {
      base.remove(key);
      continue;
    }
    prov.key_mark[child] = kv.first.Mark();
    if (kv.second.IsMap() && base[key].IsMap()) {
      merge_into(base[key], kv.second, child, file, prov);
    } else {
      base[key] = kv.second;  // the key node is new (no position): messages fall back to the value's
      record_provenance(kv.second, child, file, prov);
    }
  }
}

std::string canonical_name(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();  // e.g. a name too long: read_text says why
  return p.string();
}

/// Loads `path` (or `text`, given as the content of `path`) and the files it extends, merged.
YAML::Node load_chain(const std::string& path, const std::string* text, std::vector<std::string>& chain,
                      std::vector<std::string>& names, Provenance& prov) {
  chain.push_back(canonical_name(path));
  names.push_back(path);
  YAML::Node own = parse_scenario(text ? *text : read_text(path), path);
  YAML::Node merged(YAML::NodeType::Map);
  if (own["extends"]) {
    const YAML::Node ext = own["extends"];
    if (!ext.IsScalar() || ext.Scalar().empty()) fail_mark(path, ext.Mark(), "`extends` must be a file name");
    const std::string base = (fs::path(path).parent_path() / ext.Scalar()).string();
    const std::string canonical = canonical_name(base);
    if (const auto seen = std::find(chain.begin(), chain.end(), canonical); seen != chain.end()) {
      std::string cycle;
      for (auto n = names.begin() + (seen - chain.begin()); n != names.end(); ++n) cycle += *n + " -> ";
      fail_mark(path, ext.Mark(), "`extends: " + ext.Scalar() + "` forms a cycle: " + cycle + base);
    }
    if (chain.size() >= kMaxChain)
      fail_mark(path, ext.Mark(), "the `extends` chain is longer than " + std::to_string(kMaxChain) + " files");
    try {
      merged = load_chain(base, nullptr, chain, names, prov);
    } catch (const ScenarioError& e) {
      // The base file itself is unusable (missing, a folder, empty...): say so where it is named.
      if (e.line() == 0 && e.file() == base)
        fail_mark(path, ext.Mark(), "`extends: " + ext.Scalar() + "`: " + base + ": " + e.message());
      throw;
    }
  }
  own.remove("extends");
  if (merged.size() > 0) check_new_entries(merged, own, path);  // this file extends another
  merge_into(merged, own, "", path, prov);
  return merged;
}

/// Maps whose keys are names the scenario defines (unit groups, request
/// types, populations, resident groups): a path through one must name an
/// entry that exists, or a typo would silently create a new, idle entry.
const char* named_collection(const std::vector<std::string>& parts, std::size_t i) {
  if (i == 1 && parts[0] == "units") return "unit group";
  if (i == 1 && parts[0] == "request_types") return "request type";
  if (i == 1 && parts[0] == "populations") return "population";
  if (i == 3 && parts[0] == "populations" && parts[2] == "groups") return "resident group";
  return nullptr;
}

/// Why `parts` names nothing in `root`, or "" when it names (or may add) a key.
std::string path_problem(const YAML::Node& root, const std::vector<std::string>& parts) {
  YAML::Node n = root;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!n.IsMap()) return "";  // the walk in apply_override says what is wrong
    const YAML::Node here = n;
    const YAML::Node next = here[parts[i]];
    if (const char* what = named_collection(parts, i); what && (!next.IsDefined() || next.IsNull())) {
      std::string best, path;
      std::size_t distance = 1000;
      for (const auto& kv : n)
        if (const std::size_t d = edit_distance(parts[i], kv.first.Scalar()); d < distance)
          distance = d, best = kv.first.Scalar();
      for (std::size_t j = 0; j < i; ++j) path += parts[j] + ".";
      std::string message = "`" + parts[i] + "` is not a " + what + " of this scenario (in `" +
                            path.substr(0, path.size() - 1) + "`: a path may only change what the scenario defines)";
      if (!best.empty() && distance <= std::max<std::size_t>(3, parts[i].size() / 3))
        message += "; did you mean `" + best + "`?";
      return message;
    }
    if (!next.IsDefined() || next.IsNull()) return "";
    n.reset(next);  // `n = next` would overwrite the document's node with its child
  }
  return "";
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  if (!path.empty() && path.back() == '.') parts.emplace_back();
  return parts;
}

void apply_override(YAML::Node root, const std::string& assignment, Provenance& prov) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError("--set", 0, 0, "`" + assignment + "` is not of the form path=value");
  const std::string path = assignment.substr(0, eq);
  if (assignment.find_first_not_of(" \t", eq + 1) == std::string::npos)
    throw ScenarioError("--set", 0, 0, "`" + assignment + "` gives no value (an unset shell variable?); to remove a key, "
                                       "write `" + path + "=null`");
  YAML::Node value;
  try {
    value = parse_yaml(assignment.substr(eq + 1), "--set");
  } catch (const ScenarioError& e) {
    std::string why = e.message();
    if (why.rfind("malformed YAML: ", 0) == 0) why.erase(0, 16);
    throw ScenarioError("--set", 0, 0, "`" + assignment + "`: malformed value: " + why);
  }
  const std::vector<std::string> parts = split_path(path);
  for (const auto& part : parts)
    if (part.empty()) throw ScenarioError("--set", 0, 0, "`" + path + "`: empty name in the path");
  if (parts.size() > static_cast<std::size_t>(kMaxDepth))  // the file's own nesting limit
    throw ScenarioError("--set", 0, 0, "`" + path.substr(0, 40) + "...`: the path is deeper than " +
                                         std::to_string(kMaxDepth) + " levels");
  if (const std::string problem = path_problem(root, parts); !problem.empty())
    throw ScenarioError("--set", 0, 0, "`" + path + "`: " + problem);
  std::vector<YAML::Node> nodes{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next = nodes.back()[parts[i]];
    if (!next.IsDefined() || next.IsNull()) {
      nodes.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next = nodes.back()[parts[i]];
    }
    if (!next.IsMap()) throw ScenarioError("--set", 0, 0, "`" + path + "`: `" + parts[i] + "` is not a mapping");
    nodes.push_back(next);
  }
  if (value.IsNull())
    nodes.back().remove(parts.back());  // `--set units.office=null` removes, as in an extends file
  else
    nodes.back()[parts.back()] = value;
  prov.file_of[path] = "--set " + assignment;
}

// ---------------------------------------------------------------------------
// Strict reading of the merged document.

/// A whole number written in decimal digits is read in decimal, leading
/// zeros and all (`staff: 010` is 10, as `horizon_h: 010` is 10.0): yaml-cpp
/// would read it as octal in integer fields only. Other forms go to `other`.
template <typename Other>
auto decimal_or(const YAML::Node& n, Other other) -> decltype(other()) {
  using T = decltype(other());
  const std::string& text = n.Scalar();
  std::size_t i = text[0] == '+' || text[0] == '-' ? 1 : 0;
  if (i == text.size() || text.find_first_not_of("0123456789", i) != std::string::npos) return other();
  errno = 0;
  char* end = nullptr;
  if constexpr (std::is_signed_v<T>) {
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE) throw YAML::Exception(n.Mark(), "out of range");
    return static_cast<T>(v);
  } else {
    if (text[0] == '-') throw YAML::Exception(n.Mark(), "negative");
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno == ERANGE) throw YAML::Exception(n.Mark(), "out of range");
    return static_cast<T>(v);
  }
}

class Reader {
 public:
  Reader(const Provenance& prov, YAML::Node node, std::string path, std::vector<std::string> allowed)
      : prov_(prov), node_(std::move(node)), path_(std::move(path)), allowed_(std::move(allowed)) {
    if (!node_.IsMap()) fail(node_, "`" + path_ + "` must be a mapping of keys to values");
    for (const auto& kv : node_) {
      const std::string key = kv.first.Scalar();
      if (std::find(allowed_.begin(), allowed_.end(), key) == allowed_.end()) {
        std::string best;
        std::size_t best_distance = 1000;
        for (const auto& a : allowed_) {
          const std::size_t d = edit_distance(key, a);
          if (d < best_distance) best_distance = d, best = a;
        }
        std::string message = "unknown key `" + key + "` in `" + path_ + "`";
        if (!best.empty() && best_distance <= std::max<std::size_t>(2, key.size() / 3))
          message += "; did you mean `" + best + "`?";
        else
          message += "; valid keys: " + join(allowed_);
        // A key merged from an extends chain lost its position: look it up.
        const auto mark = prov_.key_mark.find(Provenance::bare(path_ + "." + key));
        if (kv.first.Mark().line < 0 && mark != prov_.key_mark.end())
          throw ScenarioError(prov_.file(path_ + "." + key), mark->second.line + 1, mark->second.column + 1, message);
        fail_key(kv.first.Mark().line >= 0 ? kv.first : kv.second, key, message);
      }
    }
  }

  /// "a list" or "a mapping", for messages about a value of the wrong shape.
  static std::string shape(const YAML::Node& n) { return n.IsSequence() ? "a list" : "a mapping"; }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  bool has(const std::string& key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }
  YAML::Node node(const std::string& key) const { return node_[key]; }
  YAML::Node self() const { return node_; }
  std::string child_path(const std::string& key) const { return path_ + "." + key; }
  const Provenance& provenance() const { return prov_; }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    fail_at(prov_, path_, at, message);
  }
  [[noreturn]] void fail_key(const YAML::Node& at, const std::string& key, const std::string& message) const {
    fail_at(prov_, path_ + "." + key, at, message);
  }

  double number(const std::string& key, double fallback, double low, double high, bool low_open = false) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    double v;
    if (!n.IsScalar()) fail_key(n, key, "`" + key + "` must be a number, not " + shape(n));
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail_key(n, key, "`" + key + "` must be a number, not `" + n.Scalar() + "`");
    }
    if (std::isnan(v)) fail_key(n, key, "`" + key + "` is NaN");
    if (v < low || (low_open && v == low) || v > high) {
      std::ostringstream msg;
      msg << "`" << key << "` = " << n.Scalar() << " is out of range: must be " << (low_open ? "> " : ">= ") << low;
      if (std::isfinite(high)) msg << " and <= " << high;
      fail_key(n, key, msg.str());
    }
    return v;
  }
  int integer(const std::string& key, int fallback, int low, int high) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    long long v;
    if (!n.IsScalar()) fail_key(n, key, "`" + key + "` must be a whole number, not " + shape(n));
    try {
      v = decimal_or(n, [&] { return n.as<long long>(); });
    } catch (const YAML::Exception&) {
      fail_key(n, key, "`" + key + "` must be a whole number, not `" + n.Scalar() + "`");
    }
    if (v < low || v > high)
      fail_key(n, key, "`" + key + "` = " + n.Scalar() + " is out of range: must be between " +
                           std::to_string(low) + " and " + std::to_string(high));
    return static_cast<int>(v);
  }
  std::uint64_t unsigned64(const std::string& key, std::uint64_t fallback) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    try {
      if (!n.IsScalar() || n.Scalar().empty() || n.Scalar()[0] == '-') throw YAML::Exception(n.Mark(), "");
      return decimal_or(n, [&] { return n.as<std::uint64_t>(); });
    } catch (const YAML::Exception&) {
      fail_key(n, key, "`" + key + "` must be a non-negative whole number");
    }
  }
  bool boolean(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    try {
      if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "");
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail_key(n, key, "`" + key + "` must be true or false");
    }
  }
  std::string text(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    if (!n.IsScalar()) fail_key(n, key, "`" + key + "` must be text, not " + shape(n));
    return n.Scalar();
  }
  std::string choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& options) const {
    const std::string v = text(key, fallback);
    if (std::find(options.begin(), options.end(), v) == options.end())
      fail_key(node_[key], key, "`" + key + "` = `" + v + "` is not one of: " + join(options));
    return v;
  }

  sim::Distribution distribution(const std::string& key, const sim::Distribution& fallback) const {
    if (!has(key)) return fallback;
    return read_distribution(node_[key], path_ + "." + key, key, true);
  }

  sim::Distribution read_distribution(const YAML::Node& n, const std::string& path, const std::string& key,
                                      bool allow_mixture) const {
    if (n.IsScalar()) {
      double v;
      try {
        v = n.as<double>();
      } catch (const YAML::Exception&) {
        fail_at(prov_, path, n, "`" + key + "` must be a number of hours or a distribution mapping");
      }
      if (!(v >= 0.0) || !std::isfinite(v)) fail_at(prov_, path, n, "`" + key + "` must be a finite duration >= 0");
      return sim::Distribution::deterministic(v);
    }
    Reader r(prov_, n, path,
             {"dist", "mean", "median", "sigma", "cv", "shape", "scale", "value", "low", "high", "points",
              "components", "weight", "offset"});
    const std::string kind = r.choice(
        "dist", "", {"deterministic", "exponential", "lognormal", "weibull", "uniform", "empirical", "mixture"});
    sim::Distribution d;
    if (kind == "deterministic") {
      d = sim::Distribution::deterministic(r.number("value", 0.0, 0.0, 1e9));
    } else if (kind == "exponential") {
      r.require("mean");
      d = sim::Distribution::exponential(r.number("mean", 1.0, 0.0, 1e9, true));
    } else if (kind == "lognormal") {
      if (r.has("median")) {
        r.require("sigma");
        d = sim::Distribution::lognormal(r.number("median", 1.0, 0.0, 1e9, true), r.number("sigma", 1.0, 0.0, 10.0));
      } else {
        r.require("mean");
        r.require("cv");
        const double mean = r.number("mean", 1.0, 0.0, 1e9, true), cv = r.number("cv", 1.0, 0.0, 100.0);
        const double s2 = std::log1p(cv * cv);
        d = sim::Distribution::lognormal(mean / std::sqrt(1.0 + cv * cv), std::sqrt(s2));
      }
    } else if (kind == "weibull") {
      r.require("shape");
      r.require("scale");
      d = sim::Distribution::weibull(r.number("shape", 1.0, 0.05, 100.0), r.number("scale", 1.0, 0.0, 1e9, true));
    } else if (kind == "uniform") {
      r.require("low");
      r.require("high");
      const double lo = r.number("low", 0.0, 0.0, 1e9), hi = r.number("high", 1.0, 0.0, 1e9);
      if (hi < lo) r.fail(n, "uniform: `high` must be >= `low`");
      d = sim::Distribution::uniform(lo, hi);
    } else if (kind == "empirical") {
      r.require("points");
      const YAML::Node pts = n["points"];
      if (!pts.IsSequence()) r.fail(pts, "`points` must be a list of [probability, hours] pairs");
      std::vector<double> p, v;
      for (const auto& pt : pts) {
        if (!pt.IsSequence() || pt.size() != 2) r.fail(pt, "each point must be [probability, hours]");
        try {
          p.push_back(pt[0].as<double>());
          v.push_back(pt[1].as<double>());
        } catch (const YAML::Exception&) {
          r.fail(pt, "each point must be two numbers");
        }
        // NaN compares false both ways, so the distribution's own order checks would let it through.
        if (!(p.back() >= 0.0 && p.back() <= 1.0)) r.fail(pt[0], "a point's probability must be between 0 and 1");
        if (!(v.back() >= 0.0 && v.back() <= 1e9)) r.fail(pt[1], "a point's hours must be between 0 and 1e9");
      }
      try {
        d = sim::Distribution::empirical(p, v);
      } catch (const std::invalid_argument& e) {
        r.fail(pts, e.what());
      }
    } else {
      if (!allow_mixture) r.fail(n, "a mixture component cannot itself be a mixture");
      r.require("components");
      const YAML::Node comps = n["components"];
      if (!comps.IsSequence() || comps.size() == 0) r.fail(comps, "`components` must be a non-empty list");
      std::vector<double> w;
      std::vector<sim::Distribution> c;
      for (std::size_t i = 0; i < comps.size(); ++i) {
        const std::string cpath = path + ".components[" + std::to_string(i) + "]";
        if (!comps[i].IsMap() || !comps[i]["weight"]) r.fail(comps[i], "each component needs a `weight`");
        Reader cr(prov_, comps[i], cpath,
                  {"dist", "mean", "median", "sigma", "cv", "shape", "scale", "value", "low", "high", "points",
                   "weight", "offset", "components"});
        w.push_back(cr.number("weight", 1.0, 0.0, 1e9));  // inf / inf would make the shares NaN
        c.push_back(read_distribution(comps[i], cpath, "component", false));
      }
      try {
        d = sim::Distribution::mixture(w, c);
      } catch (const std::invalid_argument& e) {
        r.fail(comps, e.what());
      }
    }
    const double offset = r.number("offset", 0.0, 0.0, 1e9);
    return offset != 0.0 ? d.shifted(offset) : d;
  }

  void require(const std::string& key) const {
    if (!has(key)) fail(node_, "`" + path_ + "` needs `" + key + "`");
  }

 private:
  const Provenance& prov_;
  YAML::Node node_;
  std::string path_;
  std::vector<std::string> allowed_;
};


/// Names travel: into --set paths and provenance (split at '.'), unit member
/// names (group/3), and the keys of CSV result files (split at ',').
void check_name(const Provenance& prov, const std::string& path, const YAML::Node& key, const std::string& what) {
  for (const char c : key.Scalar()) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.' || c == '/' || c == ',' || c == '"' || u < 0x20 || u == 0x7f)
      fail_at(prov, path, key,
              what + " name `" + key.Scalar() + "` contains " +
                  (u < 0x20 || u == 0x7f ? std::string("a control character") : "`" + std::string(1, c) + "`") +
                  ": names appear in --set paths, unit members (group/3) and CSV files");
  }
}

UnitKind parse_kind(const Reader& r) {
  static const std::vector<std::string> names = {"residents_committee", "subdistrict_office", "service_centre",
                                                 "department",          "council",            "party_committee",
                                                 "ngo",                 "station"};
  const std::string k = r.choice("kind", "station", names);
  return static_cast<UnitKind>(std::find(names.begin(), names.end(), k) - names.begin());
}

/// What a unit group resolves: a service time per request type.
void read_resolves(const Reader& top, Reader& r, const std::string& path, const Scenario& s, UnitGroup& g) {
  if (r.has("resolves")) {
    const YAML::Node res = r.node("resolves");
    if (!res.IsMap()) r.fail_key(res, "resolves", "`resolves` must map request types to service times");
    for (const auto& t : res) {
      const std::string tname = t.first.Scalar();
      if (s.request_type_index(tname) < 0)
        fail_at(top.provenance(), path + ".resolves." + tname, t.first,
                "`" + tname + "` is not a request type defined in `request_types`");
      sim::Distribution d = r.read_distribution(t.second, path + ".resolves." + tname, tname, true);
      if (!(d.mean() > 0.0))
        fail_at(top.provenance(), path + ".resolves." + tname, t.second, "service time of `" + tname + "` must have a positive mean");
      g.resolves.emplace(tname, d);
    }
  }
}

/// The share of each resolved type the group resolves itself (the rest it refers).
void read_resolves_share(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("resolves_share")) {
    const YAML::Node shares = r.node("resolves_share");
    if (!shares.IsMap()) r.fail_key(shares, "resolves_share", "`resolves_share` must map request types to shares");
    std::vector<std::string> keys;
    std::vector<YAML::Node> key_nodes;
    for (const auto& t : shares) keys.push_back(t.first.Scalar()), key_nodes.push_back(t.first);
    const Reader sr(top.provenance(), shares, path + ".resolves_share", keys);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const std::string& tname = keys[k];
      if (!g.resolves.count(tname))
        fail_at(top.provenance(), path + ".resolves_share." + tname, key_nodes[k],
                "`" + tname + "` has a share but is not in this unit's `resolves`");
      g.resolves_share[tname] = sr.number(tname, 1.0, 0.0, 1.0);
    }
  }
}

/// The request types volunteers may serve: some of those the group resolves.
void read_volunteers_serve(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("volunteers_serve")) {
    const YAML::Node vs = r.node("volunteers_serve");
    if (!vs.IsSequence()) r.fail_key(vs, "volunteers_serve", "`volunteers_serve` must be a list of request types");
    for (const auto& t : vs) {
      if (!t.IsScalar() || !g.resolves.count(t.Scalar()))
        fail_at(top.provenance(), path + ".volunteers_serve", t,
                "`" + (t.IsScalar() ? t.Scalar() : std::string("?")) +
                    "` in `volunteers_serve` is not a request type this unit `resolves`");
      g.volunteers_serve.push_back(t.Scalar());
    }
    if (g.volunteers == 0) r.fail_key(vs, "volunteers_serve", "`volunteers_serve` needs `volunteers`");
  }
}

/// Where the group refers each request type (or `default`).
void read_refers(const Reader& top, Reader& r, const std::string& path, const Scenario& s, UnitGroup& g) {
  if (r.has("refers")) {
    const YAML::Node ref = r.node("refers");
    if (!ref.IsMap()) r.fail_key(ref, "refers", "`refers` must map request types (or `default`) to unit groups");
    for (const auto& t : ref) {
      const std::string tname = t.first.Scalar();
      if (tname != "default" && s.request_type_index(tname) < 0)
        fail_at(top.provenance(), path + ".refers." + tname, t.first,
                "`" + tname + "` is not a request type (or `default`)");
      if (!t.second.IsScalar())
        fail_at(top.provenance(), path + ".refers." + tname, t.second, "a referral target must be a unit group name");
      g.refers[tname] = t.second.Scalar();
    }
  }
}

/// Onward routing after service (textbook networks): {to, probability}.
void read_routing(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("routing")) {
    const YAML::Node routes = r.node("routing");
    if (!routes.IsSequence()) r.fail_key(routes, "routing", "`routing` must be a list of {to, probability}");
    if (routes.size() > 100) r.fail_key(routes, "routing", "`routing` lists more than 100 destinations");
    double total = 0.0;
    for (std::size_t i = 0; i < routes.size(); ++i) {
      Reader rr(top.provenance(), routes[i], path + ".routing[" + std::to_string(i) + "]", {"to", "probability"});
      rr.require("to");
      rr.require("probability");
      Route route{rr.text("to", ""), rr.number("probability", 0.0, 0.0, 1.0)};
      total += route.probability;
      g.routing.push_back(route);
    }
    if (total > 1.0 + 1e-9)
      r.fail_key(routes, "routing", "routing probabilities sum to " + std::to_string(total) + " (> 1)");
  }
}

/// Governance roles: an NGO's contract, a council's oversight, a party committee's joint handling.
void read_governance_roles(const Reader& top, Reader& r, const std::string& path, UnitGroup& g) {
  if (r.has("contract")) {
    Reader c(top.provenance(), r.node("contract"), path + ".contract", {"from", "oversight_share"});
    c.require("from");
    Contract k;
    k.from = c.text("from", "");
    k.oversight_share = c.number("oversight_share", k.oversight_share, 0.0, 10.0);
    g.contract = k;
    if (g.kind != UnitKind::ngo) r.fail_key(r.node("contract"), "contract", "only an `ngo` works under a `contract`");
  }
  if (r.has("oversight")) {
    Reader o(top.provenance(), r.node("oversight"), path + ".oversight",
             {"review_interval_h", "overdue_share", "arbitrate_bounced"});
    Oversight ov;
    ov.review_interval_h = o.number("review_interval_h", ov.review_interval_h, 0.0, 1e6, true);
    ov.overdue_share = o.number("overdue_share", ov.overdue_share, 0.0, 100.0);
    ov.arbitrate_bounced = o.boolean("arbitrate_bounced", ov.arbitrate_bounced);
    g.oversight = ov;
    if (g.kind != UnitKind::council) r.fail_key(r.node("oversight"), "oversight", "only a `council` has `oversight`");
  }
  g.joint_handling = r.boolean("joint_handling", false);
  if (g.joint_handling && g.kind != UnitKind::party_committee)
    r.fail_key(r.node("joint_handling"), "joint_handling", "only a `party_committee` has `joint_handling`");
  g.coordination_delay_h = r.distribution("coordination_delay_h", g.coordination_delay_h);
}

/// One unit group: identity, places and diverted work, services, referrals,
/// routing, handoffs and governance roles, in that order.
UnitGroup read_unit_group(const Reader& top, const Scenario& s, const YAML::Node& key, const YAML::Node& value) {
  const std::string name = key.Scalar();
  const std::string path = "units." + name;
  check_name(top.provenance(), path, key, "unit group");
  if (name == "parent" || name == "home" || name == "default")
    fail_at(top.provenance(), path, key, "unit name `" + name + "` is reserved");
  Reader r(top.provenance(), value, path,
           {"kind", "tier", "count", "parent", "staff", "volunteers", "volunteers_serve", "calendar", "admin_hours_per_year",
            "economic_hours_per_year", "admin_task_h", "resolves", "resolves_share", "refers", "routing",
            "misroute_probability", "refusal_probability", "quality", "triage_h", "transfer_delay_h", "travel_h",
            "connected", "cost_per_staff_hour", "contract", "oversight", "joint_handling", "coordination_delay_h",
            "description"});
  UnitGroup g;
  g.name = name;
  g.file = top.provenance().file(path);
  g.line = key.Mark().line + 1;
  g.column = key.Mark().column + 1;
  g.kind = parse_kind(r);
  g.tier = r.text("tier", "");
  g.count = r.integer("count", 1, 1, 1000000);
  g.parent = r.text("parent", "");
  g.staff = r.integer("staff", 1, 0, 100000);
  g.volunteers = r.integer("volunteers", 0, 0, 100000);
  if (g.staff + g.volunteers < 1)
    r.fail_key(r.has("staff") ? r.node("staff") : value, "staff",
               "`staff` = " + std::to_string(g.staff) +
                   " is out of range: a unit needs at least one place (`staff` >= 1, or `volunteers`)");
  g.calendar = r.text("calendar", "");
  // Diverted work in hours per member per year: at most every hour of a year
  // for every place (a unit can be overloaded, which the run then shows).
  g.admin_hours_per_year = r.number("admin_hours_per_year", 0.0, 0.0, 8760.0 * (g.staff + g.volunteers));
  g.economic_hours_per_year = r.number("economic_hours_per_year", 0.0, 0.0, 8760.0 * (g.staff + g.volunteers));
  g.admin_task_h = r.distribution("admin_task_h", g.admin_task_h);
  // Diverted tasks arrive at (share x staff / mean) per hour: a mean of a
  // nanosecond would be a billion events an hour of no interest to anyone.
  if (!(g.admin_task_h.mean() >= 0.01))
    r.fail_key(r.has("admin_task_h") ? r.node("admin_task_h") : r.self(), "admin_task_h",
               "`admin_task_h` must have a mean of at least 0.01 hours");
  read_resolves(top, r, path, s, g);
  read_resolves_share(top, r, path, g);
  read_volunteers_serve(top, r, path, g);
  read_refers(top, r, path, s, g);
  read_routing(top, r, path, g);
  g.misroute_probability = r.number("misroute_probability", 0.0, 0.0, 0.99);
  g.refusal_probability = r.number("refusal_probability", 0.0, 0.0, 0.99);
  g.quality = r.number("quality", 1.0, 0.01, 1.0);
  g.triage_h = r.distribution("triage_h", g.triage_h);
  if (r.has("transfer_delay_h")) {
    g.transfer_delay_h = r.distribution("transfer_delay_h", sim::Distribution());
    if (!(g.transfer_delay_h->minimum() > 0.0))
      r.fail_key(r.node("transfer_delay_h"), "transfer_delay_h",
                 "`transfer_delay_h` must have a positive minimum (add an `offset`): it is the engine's lookahead");
  }
  g.travel_h = r.number("travel_h", 0.5, 0.0, 1000.0);
  if (r.has("connected")) g.connected = r.boolean("connected", false);
  g.cost_per_staff_hour = r.number("cost_per_staff_hour", g.cost_per_staff_hour, 0.0, 1e9);
  read_governance_roles(top, r, path, g);
  return g;
}

/// The expanded organisation must fit the model's tables; say so here, where
/// the counts have a place in the file, rather than when it is built.
void check_expanded_size(const Reader& top, const YAML::Node& units, const Scenario& s) {
  constexpr std::uint64_t kMaxUnits = 5'000'000, kMaxTableEntries = 50'000'000;
  const auto types = static_cast<std::uint64_t>(s.request_types.size());
  std::uint64_t total = 0;
  std::size_t i = 0;
  for (const auto& kv : units) {
    total += static_cast<std::uint64_t>(s.units[i++].count);
    const YAML::Node at = kv.second["count"] ? kv.second["count"] : kv.first;
    const std::string path = "units." + kv.first.Scalar() + ".count";
    if (total > kMaxUnits)
      fail_at(top.provenance(), path, at, "the unit groups expand to more than 5,000,000 units");
    if (total * types > kMaxTableEntries)
      fail_at(top.provenance(), path, at, "the unit groups expand to " + std::to_string(total) + " units x " +
                                              std::to_string(types) +
                                              " request types: more than 50,000,000 routing-table entries");
  }
}

void read_units(const Reader& top, Scenario& s) {
  if (!top.has("units")) top.fail(top.self(), "a scenario needs `units`");
  const YAML::Node units = top.node("units");
  if (!units.IsMap() || units.size() == 0) top.fail_key(units, "units", "`units` must be a non-empty mapping");
  for (const auto& kv : units) s.units.push_back(read_unit_group(top, s, kv.first, kv.second));
  check_expanded_size(top, units, s);
}

/// Why text that parse_date refused is not a date (for messages).
std::string date_problem(const std::string& text) {
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      std::all_of(text.begin(), text.end(), [](char ch) { return ch == '-' || (ch >= '0' && ch <= '9'); });
  if (!shaped) return "is not a date written YYYY-MM-DD";
  const int month = (text[5] - '0') * 10 + (text[6] - '0');
  return month >= 1 && month <= 12 ? "is not a date: that month has no such day"
                                   : "is not a date: there is no month " + text.substr(5, 2);
}

/// A list of hours of the day, or of [open, close] pairs, read with their places.
double hour_of_day(const Provenance& prov, const std::string& path, const YAML::Node& n, bool allow_24,
                   const std::string& what) {
  double v = NAN;
  if (n.IsScalar()) {
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
    }
  }
  if (!(v >= 0.0 && (allow_24 ? v <= 24.0 : v < 24.0)))
    fail_at(prov, path, n, what + " must be an hour of the day, >= 0 and " + std::string(allow_24 ? "<= 24" : "< 24") +
                               (n.IsScalar() ? ", not `" + n.Scalar() + "`" : ""));
  return v;
}

void read_calendars(const Reader& top, Scenario& s) {
  if (!top.has("calendars")) return;
  const YAML::Node cals = top.node("calendars");
  if (!cals.IsMap()) top.fail_key(cals, "calendars", "`calendars` must map names to calendars");
  const Provenance& prov = top.provenance();
  static const std::vector<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (const auto& kv : cals) {
    const std::string path = "calendars." + kv.first.Scalar();
    check_name(prov, path, kv.first, "calendar");
    Reader r(prov, kv.second, path, {"hours", "working_days", "holidays", "makeup_days", "overrun", "overtime_limit_h", "dispatch_h",
                                    "description"});
    CalendarSpec c;
    c.name = kv.first.Scalar();
    c.file = prov.file(path);
    c.line = kv.first.Mark().line + 1;
    c.column = kv.first.Mark().column + 1;
    r.require("hours");
    const YAML::Node hours = r.node("hours");
    if (!hours.IsSequence() || hours.size() == 0)
      r.fail_key(hours, "hours", "`hours` must be a list of [open, close] hours, e.g. [[9, 12], [13.5, 17.5]]");
    std::vector<std::pair<double, double>> intervals;
    for (std::size_t i = 0; i < hours.size(); ++i) {
      const YAML::Node iv = hours[i];
      const std::string ipath = path + ".hours[" + std::to_string(i) + "]";
      if (!iv.IsSequence() || iv.size() != 2) fail_at(prov, ipath, iv, "each opening must be [open, close] in hours of the day");
      const double open = hour_of_day(prov, ipath, iv[0], false, "an opening time");
      const double close = hour_of_day(prov, ipath, iv[1], true, "a closing time");
      const std::string shown = "[" + iv[0].Scalar() + ", " + iv[1].Scalar() + "]";
      if (!(close > open))
        fail_at(prov, ipath, iv, "the opening " + shown + " closes before it opens (reversed or empty hours)");
      if (!intervals.empty() && open < intervals.back().second)
        fail_at(prov, ipath, iv,
                "the opening " + shown + (open < intervals.back().first ? " comes before" : " overlaps") +
                    " the one before it: openings must be in order and must not overlap");
      intervals.emplace_back(open, close);
    }
    std::vector<bool> working(7, false);
    if (r.has("working_days")) {
      const YAML::Node wd = r.node("working_days");
      if (!wd.IsSequence()) r.fail_key(wd, "working_days", "`working_days` must be a list such as [mon, tue, wed, thu, fri]");
      for (const auto& d : wd) {
        const auto it = d.IsScalar() ? std::find(days.begin(), days.end(), d.Scalar()) : days.end();
        if (it == days.end()) fail_at(prov, path + ".working_days", d, "a working day must be one of mon, tue, wed, thu, fri, sat, sun");
        working[static_cast<std::size_t>(it - days.begin())] = true;
      }
    } else {
      std::fill(working.begin(), working.begin() + 5, true);
    }
    for (std::size_t d = 0; d < 7; ++d)
      if (working[d]) c.week[d] = intervals;
    auto dates = [&](const std::string& key, std::vector<std::string>& out) {
      if (!r.has(key)) return;
      const YAML::Node list = r.node(key);
      if (!list.IsSequence()) r.fail_key(list, key, "`" + key + "` must be a list of dates (YYYY-MM-DD)");
      for (const auto& d : list) {
        if (!d.IsScalar() || !sim::parse_date(d.Scalar()))
          fail_at(prov, path + "." + key, d,
                  "`" + (d.IsScalar() ? d.Scalar() : std::string("?")) + "` in `" + key + "` " +
                      date_problem(d.IsScalar() ? d.Scalar() : ""));
        out.push_back(d.Scalar());
      }
    };
    dates("holidays", c.holidays);
    dates("makeup_days", c.makeup_days);
    const YAML::Node makeup = r.node("makeup_days");  // const: indexing must not add entries
    for (std::size_t m = 0; m < c.makeup_days.size(); ++m)
      if (std::find(c.holidays.begin(), c.holidays.end(), c.makeup_days[m]) != c.holidays.end())
        r.fail_key(makeup[m], "makeup_days",
                   "`" + c.makeup_days[m] + "` is both a holiday and a make-up working day");
    c.overrun = r.choice("overrun", "finish", {"finish", "pause"}) == "pause" ? CalendarSpec::Overrun::pause
                                                                             : CalendarSpec::Overrun::finish;
    c.overtime_limit_h = r.number("overtime_limit_h", c.overtime_limit_h, 0.0, 24.0);
    if (r.has("dispatch_h")) {
      const YAML::Node dh = r.node("dispatch_h");
      if (!dh.IsSequence()) r.fail_key(dh, "dispatch_h", "`dispatch_h` must be a list of hours of the day, e.g. [10, 15]");
      for (std::size_t i = 0; i < dh.size(); ++i) {
        const double h = hour_of_day(prov, path + ".dispatch_h", dh[i], false, "a document run in `dispatch_h`");
        if (!c.dispatch_h.empty() && h <= c.dispatch_h.back())
          fail_at(prov, path + ".dispatch_h", dh[i], "dispatch hours must be in increasing order");
        c.dispatch_h.push_back(h);
      }
    }
    s.calendars.push_back(std::move(c));
  }
}

void read_request_types(const Reader& top, Scenario& s) {
  if (!top.has("request_types")) top.fail(top.self(), "a scenario needs `request_types`");
  const YAML::Node types = top.node("request_types");
  if (!types.IsMap() || types.size() == 0)
    top.fail_key(types, "request_types", "`request_types` must be a non-empty mapping");
  for (const auto& kv : types) {
    const std::string path = "request_types." + kv.first.Scalar();
    Reader r(top.provenance(), kv.second.IsNull() ? YAML::Node(YAML::NodeType::Map) : kv.second, path,
             {"deadline_h", "deadline_working_days", "urgency", "cosign", "description"});
    RequestType t;
    check_name(top.provenance(), path, kv.first, "request type");
    t.name = kv.first.Scalar();
    if (r.has("deadline_h") && r.has("deadline_working_days"))
      r.fail(r.node("deadline_working_days"), "give `deadline_h` or `deadline_working_days`, not both");
    t.deadline_h = r.number("deadline_h", 720.0, 0.0, 1e7, true);
    t.deadline_working_days = r.integer("deadline_working_days", 0, 1, 3650);
    t.urgency = r.integer("urgency", 0, 0, 3);
    if (r.has("cosign")) {
      const YAML::Node c = r.node("cosign");
      if (!c.IsSequence()) r.fail_key(c, "cosign", "`cosign` must be a list of unit groups");
      for (const auto& x : c) {
        if (!x.IsScalar()) r.fail_key(x, "cosign", "`cosign` must be a list of unit group names");
        t.cosign.push_back(x.Scalar());
      }
    }
    s.request_types.push_back(std::move(t));
  }
  if (s.request_types.size() > 250) top.fail_key(types, "request_types", "at most 250 request types");
}

void read_populations(const Reader& top, Scenario& s) {
  if (!top.has("populations")) top.fail(top.self(), "a scenario needs `populations` (who has needs)");
  const YAML::Node pops = top.node("populations");
  if (!pops.IsMap() || pops.size() == 0)
    top.fail_key(pops, "populations", "`populations` must be a non-empty mapping");
  std::uint64_t residents = 0;
  int resident_groups = 0;
  for (const auto& kv : pops) {
    const std::string path = "populations." + kv.first.Scalar();
    Reader r(top.provenance(), kv.second, path,
             {"at", "residents_per_unit", "groups", "first_contact", "neighbours", "long_link_share"});
    Population p;
    check_name(top.provenance(), path, kv.first, "population");
    p.name = kv.first.Scalar();
    r.require("at");
    p.at = r.text("at", "");
    if (!s.unit_group(p.at)) r.fail_key(r.node("at"), "at", "`at: " + p.at + "` names no unit group");
    p.residents_per_unit = r.integer("residents_per_unit", 1, 1, 10000000);
    // Residents are numbered with 32 bits; each number above is in range, their product need not be.
    residents += static_cast<std::uint64_t>(s.unit_group(p.at)->count) * static_cast<std::uint64_t>(p.residents_per_unit);
    if (residents >= 0xFFFFFFF0ull)
      r.fail_key(r.has("residents_per_unit") ? r.node("residents_per_unit") : r.node("at"), "residents_per_unit",
                 "the populations add up to " + std::to_string(residents) +
                     " residents, more than the model's limit of 4,294,967,280");
    p.neighbours = r.integer("neighbours", 0, 0, 200);
    if (p.neighbours % 2) r.fail_key(r.node("neighbours"), "neighbours", "`neighbours` must be even (ties both ways)");
    p.long_link_share = r.number("long_link_share", 0.0, 0.0, 1.0);
    if (r.has("first_contact")) {
      const YAML::Node fc = r.node("first_contact");
      if (!fc.IsMap()) r.fail_key(fc, "first_contact", "`first_contact` must map request types (or `default`) to home, parent or a unit group");
      for (const auto& t : fc) {
        const std::string tname = t.first.Scalar();
        if (tname != "default" && s.request_type_index(tname) < 0)
          fail_at(top.provenance(), path + ".first_contact." + tname, t.first, "`" + tname + "` is not a request type (or `default`)");
        if (!t.second.IsScalar())
          fail_at(top.provenance(), path + ".first_contact." + tname, t.second,
                  "a first contact must be home, parent or a unit group name");
        p.first_contact[tname] = t.second.Scalar();
      }
    }
    r.require("groups");
    const YAML::Node groups = r.node("groups");
    if (!groups.IsMap() || groups.size() == 0) r.fail_key(groups, "groups", "`groups` must be a non-empty mapping");
    double share_total = 0.0;
    for (const auto& g : groups) {
      const std::string gpath = path + ".groups." + g.first.Scalar();
      Reader gr(top.provenance(), g.second, gpath,
                {"share", "digital_access", "willingness", "patience_h", "reporting_delay_h", "need_rates_per_year",
                 "need_rates_per_hour"});
      ResidentGroup rg;
      check_name(top.provenance(), gpath, g.first, "resident group");
      rg.name = g.first.Scalar();
      rg.share = gr.number("share", 1.0, 0.0, 1.0);
      share_total += rg.share;
      rg.digital_access = gr.number("digital_access", 0.0, 0.0, 1.0);
      rg.willingness = gr.number("willingness", 1.0, 0.0, 1.0);
      if (gr.has("patience_h")) rg.patience_h = gr.distribution("patience_h", sim::Distribution());
      rg.reporting_delay_h = gr.distribution("reporting_delay_h", rg.reporting_delay_h);
      const bool per_year = gr.has("need_rates_per_year"), per_hour = gr.has("need_rates_per_hour");
      if (per_year == per_hour)
        gr.fail(g.second, "group `" + rg.name + "` needs exactly one of `need_rates_per_year` or `need_rates_per_hour`");
      const std::string key = per_year ? "need_rates_per_year" : "need_rates_per_hour";
      const YAML::Node rates = gr.node(key);
      if (!rates.IsMap()) gr.fail_key(rates, key, "`" + key + "` must map request types to rates");
      Reader rr(top.provenance(), rates, gpath + "." + key, [&] {
        std::vector<std::string> names;
        for (const auto& t : s.request_types) names.push_back(t.name);
        return names;
      }());
      for (const auto& t : rates) {
        const double rate = rr.number(t.first.Scalar(), 0.0, 0.0, 1e7);
        if (rate > 0.0) rg.need_rates[t.first.Scalar()] = per_year ? rate / 8760.0 : rate;
      }
      p.groups.push_back(std::move(rg));
      // Resident groups are numbered with 16 bits in the outcome records.
      if (++resident_groups > 10000)
        fail_at(top.provenance(), gpath, g.first, "more than 10,000 resident groups in all populations");
    }
    if (std::abs(share_total - 1.0) > 1e-6)
      r.fail_key(groups, "groups", "group shares sum to " + std::to_string(share_total) + ", not 1");
    s.populations.push_back(std::move(p));
  }
}

void check_references(const Scenario& s, const Provenance& prov, const YAML::Node& root) {
  auto group_exists = [&](const std::string& n) { return s.unit_group(n) != nullptr; };
  auto where = [&](const std::string& path) {
    YAML::Node n = root;
    std::stringstream ss(path);
    for (std::string part; std::getline(ss, part, '.');) {
      if (!n.IsMap() || !n[part]) break;
      n = n[part];
    }
    return n;
  };
  for (const auto& g : s.units) {
    const std::string path = "units." + g.name;
    if (!g.parent.empty()) {
      if (!group_exists(g.parent))
        fail_at(prov, path + ".parent", where(path + ".parent"), "`parent: " + g.parent + "` names no unit group");
      if (g.parent == g.name) fail_at(prov, path + ".parent", where(path + ".parent"), "a unit cannot be its own parent");
    }
    for (const auto& [type, target] : g.refers) {
      if (target != "parent" && !group_exists(target)) {
        std::string best;
        std::size_t bd = 1000;
        for (const auto& u : s.units)
          if (edit_distance(u.name, target) < bd) bd = edit_distance(u.name, target), best = u.name;
        fail_at(prov, path + ".refers." + type, where(path + ".refers." + type),
                "`" + type + ": " + target + "` names no unit group" + (bd <= 3 ? "; did you mean `" + best + "`?" : ""));
      }
      if (target == "parent" && g.parent.empty())
        fail_at(prov, path + ".refers." + type, where(path + ".refers." + type), "refers to `parent` but has no `parent`");
    }
    for (const auto& r : g.routing)
      if (!group_exists(r.to))
        fail_at(prov, path + ".routing", where(path + ".routing"), "routing to `" + r.to + "`, which names no unit group");
  }
  // Routing must let requests leave. Around a cycle whose probabilities sum to
  // 1 a request circulates until the horizon, and near 1 it visits thousands
  // of units: the run's work has no bound either way. The expected number of
  // units a request visits from group g solves V = 1 + P V; iterate from
  // V = 1 (it only grows) and refuse past 1,000 visits or without convergence.
  {
    std::map<std::string, std::size_t> index;
    for (std::size_t g = 0; g < s.units.size(); ++g) index.emplace(s.units[g].name, g);
    std::vector<double> visits(s.units.size(), 1.0), next(s.units.size());
    bool settled = false;
    for (int iteration = 0; iteration < 2000 && !settled; ++iteration) {
      double change = 0.0;
      for (std::size_t g = 0; g < s.units.size(); ++g) {
        next[g] = 1.0;
        for (const auto& r : s.units[g].routing) next[g] += r.probability * visits[index.at(r.to)];
        change = std::max(change, (next[g] - visits[g]) / next[g]);
      }
      visits.swap(next);
      settled = change < 1e-9;
      if (*std::max_element(visits.begin(), visits.end()) > 1000.0) break;
    }
    const auto worst = static_cast<std::size_t>(std::max_element(visits.begin(), visits.end()) - visits.begin());
    if (!settled || visits[worst] > 1000.0) {
      const std::string path = "units." + s.units[worst].name + ".routing";
      fail_at(prov, path, where(path),
              "a request routed from `" + s.units[worst].name +
                  "` would visit more than 1,000 units on average: routing probabilities around a cycle are 1 or too "
                  "close to it for requests ever to leave");
    }
  }
  // Parent chains must not loop.
  for (const auto& g : s.units) {
    std::set<std::string> seen{g.name};
    for (const UnitGroup* p = s.unit_group(g.parent); p; p = s.unit_group(p->parent))
      if (!seen.insert(p->name).second)
        fail_at(prov, "units." + g.name + ".parent", where("units." + g.name + ".parent"),
                "the `parent` chain of `" + g.name + "` loops back on itself");
  }
  for (const auto& t : s.request_types)
    for (const auto& c : t.cosign)
      if (!group_exists(c))
        fail_at(prov, "request_types." + t.name + ".cosign", where("request_types." + t.name + ".cosign"),
                "`cosign` names `" + c + "`, which is no unit group");
  for (const auto& p : s.populations) {
    for (const auto& [type, target] : p.first_contact)
      if (target != "home" && target != "parent" && !group_exists(target))
        fail_at(prov, "populations." + p.name + ".first_contact." + type,
                where("populations." + p.name + ".first_contact." + type),
                "first contact `" + target + "` is not home, parent or a unit group");
  }
  for (const auto& g : s.units) {
    const std::string path = "units." + g.name;
    if (!g.calendar.empty() && !s.calendar(g.calendar)) {
      std::string known;
      for (const auto& c : s.calendars) known += (known.empty() ? "" : ", ") + c.name;
      fail_at(prov, path + ".calendar", where(path + ".calendar"),
              "`calendar: " + g.calendar + "` names no calendar in `calendars`" +
                  (known.empty() ? std::string(" (the scenario defines none)") : " (calendars: " + known + ")"));
    }
    if (g.contract) {
      const UnitGroup* dept = s.unit_group(g.contract->from);
      if (!dept || dept->kind != UnitKind::department)
        fail_at(prov, path + ".contract.from", where(path + ".contract.from"),
                "`from: " + g.contract->from + "` " +
                    (dept ? std::string("is a `") + to_string(dept->kind) + "`" : std::string("names no unit group")) +
                    ": it must name the `department` group that pays for the contract");
    }
  }
  for (const auto& t : s.request_types)
    if (t.deadline_working_days > 0 && !s.calendar("default"))
      fail_at(prov, "request_types." + t.name + ".deadline_working_days",
              where("request_types." + t.name + ".deadline_working_days"),
              "a deadline in working days needs a `default` calendar in `calendars` to count them");
  // Some unit must be able to serve each type that residents need.
  std::set<std::string> needed;
  for (const auto& p : s.populations)
    for (const auto& g : p.groups)
      for (const auto& [type, rate] : g.need_rates) needed.insert(type);
  for (const auto& type : needed) {
    bool resolvable = false;
    for (const auto& g : s.units) resolvable = resolvable || g.resolves.count(type);
    if (!resolvable)
      fail_at(prov, "request_types." + type, where("request_types." + type),
              "request type `" + type + "` has demand but no unit `resolves` it");
  }
}

/// Working hours in a plain week of a calendar (always open: 168).
double weekly_hours(const CalendarSpec* c) {
  if (!c) return 168.0;
  double h = 0.0;
  for (const auto& day : c->week)
    for (const auto& [open, close] : day) h += close - open;
  return h;
}

/// Purchase of services: each NGO's contracted places come out of the paying
/// department's paid places (the budget moves, it does not grow), and the
/// department spends oversight hours on every contracted hour.
void apply_contracts(Scenario& s, const Provenance& prov, const YAML::Node& root) {
  for (const auto& g : s.units) {
    if (!g.contract) continue;
    UnitGroup& dept = *std::find_if(s.units.begin(), s.units.end(),
                                    [&](const UnitGroup& d) { return d.name == g.contract->from; });
    const long long bought = static_cast<long long>(g.count) * g.staff;
    const long long budget = static_cast<long long>(dept.count) * dept.staff;
    const YAML::Node& doc = root;  // const: looking up must not add keys
    const YAML::Node at = doc["units"][g.name]["contract"];
    const std::string path = "units." + g.name + ".contract";
    if (bought >= budget)
      fail_at(prov, path, at,
              "the contract buys " + std::to_string(bought) + " staff places (" + std::to_string(g.count) + " x " +
                  std::to_string(g.staff) + ") out of the " + std::to_string(budget) + " of `" + dept.name +
                  "`: NGO contract hours must be smaller than the department's budget (it keeps at least one place)");
    if ((budget - bought) % dept.count != 0)
      fail_at(prov, path, at,
              "the " + std::to_string(bought) + " places bought must leave each of the " + std::to_string(dept.count) +
                  " members of `" + dept.name + "` a whole number of staff");
    dept.staff = static_cast<int>((budget - bought) / dept.count);
    const double contract_hours = static_cast<double>(bought) * weekly_hours(s.calendar_of(g)) * 365.0 / 7.0;
    dept.admin_hours_per_year += g.contract->oversight_share * contract_hours / dept.count;
  }
}

YAML::Node merged_document(const std::string& path, const std::string* text, const std::vector<std::string>& overrides,
                           Provenance& prov, std::vector<std::string>& chain) {
  prov.root = path;
  std::vector<std::string> names;
  YAML::Node root = load_chain(path, text, chain, names, prov);
  for (const auto& o : overrides) apply_override(root, o, prov);
  return root;
}

Scenario read_scenario(const YAML::Node& root, const Provenance& prov, const std::string& path,
                       const std::vector<std::string>& chain);

}  // namespace

std::string merged_scenario_text(const std::string& path, const std::vector<std::string>& overrides) {
  Provenance prov;
  std::vector<std::string> chain;
  YAML::Emitter out;
  out << merged_document(path, nullptr, overrides, prov, chain);
  return out.c_str();
}

std::string resolved_scenario_text(const std::string& path, const std::vector<std::string>& overrides,
                                   const std::string& name, std::uint64_t seed, int replications) {
  Provenance prov;
  std::vector<std::string> chain;
  YAML::Node root = merged_document(path, nullptr, overrides, prov, chain);
  root["name"] = name;
  if (!root["simulation"].IsDefined() || !root["simulation"].IsMap()) root["simulation"] = YAML::Node(YAML::NodeType::Map);
  root["simulation"]["seed"] = seed;
  root["simulation"]["replications"] = replications;
  YAML::Emitter out;
  out << root;
  std::string header = "# The scenario as govsim ran it: " + path;
  for (const auto& o : overrides) header += " --set " + o;
  for (char& c : header)
    if (c == '\n' || c == '\r') c = ' ';
  return header + "\n# (extends and --set applied; `govsim run` of this file gives the same results)\n" + out.c_str() + "\n";
}

std::string override_path_problem(const std::string& path, const std::vector<std::string>& overrides,
                                  const std::string& dotted) {
  Provenance prov;
  std::vector<std::string> chain;
  const YAML::Node root = merged_document(path, nullptr, overrides, prov, chain);
  return path_problem(root, split_path(dotted));
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  Provenance prov;
  std::vector<std::string> chain;
  const YAML::Node root = merged_document(path, nullptr, overrides, prov, chain);
  return read_scenario(root, prov, path, chain);
}

Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  Provenance prov;
  std::vector<std::string> chain;
  const YAML::Node root = merged_document(name, &text, overrides, prov, chain);
  return read_scenario(root, prov, name, chain);
}

namespace {

Scenario read_scenario(const YAML::Node& root, const Provenance& prov, const std::string& path,
                       const std::vector<std::string>& chain) {
  Reader top(prov, root, "scenario",
             {"name", "description", "simulation", "calendars", "request_types", "units", "populations", "behaviour",
              "platform", "handoffs", "uncertain"});
  Scenario s;
  s.path = path;
  s.files = chain;
  s.name = top.text("name", fs::path(path).stem().string());
  s.description = top.text("description", "");
  {
    YAML::Emitter out;
    out << root;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(sim::stable_id(out.c_str())));
    s.content_hash = hex;
  }
  if (top.has("simulation")) {
    Reader r(prov, top.node("simulation"), "simulation",
             {"horizon_h", "horizon_days", "warmup_h", "warmup_days", "replications", "seed", "sample_interval_h",
              "start_date"});
    auto& sim = s.simulation;
    if (r.has("horizon_h") && r.has("horizon_days")) r.fail(r.self(), "give `horizon_h` or `horizon_days`, not both");
    sim.horizon_h = r.has("horizon_days") ? 24.0 * r.number("horizon_days", 365, 0.0, 36500.0, true)
                                          : r.number("horizon_h", sim.horizon_h, 0.0, 876000.0, true);
    sim.warmup_h = r.has("warmup_days") ? 24.0 * r.number("warmup_days", 0, 0.0, 36500.0)
                                        : r.number("warmup_h", sim.warmup_h, 0.0, 876000.0);
    if (sim.warmup_h >= sim.horizon_h)
      r.fail(r.has("warmup_days") ? r.node("warmup_days") : r.has("warmup_h") ? r.node("warmup_h") : r.self(),
             "the warm-up must end before the horizon");
    sim.replications = r.integer("replications", 1, 1, 10000);
    sim.seed = r.unsigned64("seed", 1);
    sim.sample_interval_h = r.number("sample_interval_h", sim.sample_interval_h, 0.0, 876000.0, true);
    sim.start_date = r.text("start_date", sim.start_date);
    if (!sim::parse_date(sim.start_date))
      r.fail_key(r.node("start_date"), "start_date", "`start_date` = `" + sim.start_date + "` " + date_problem(sim.start_date));
    if (sim.horizon_h / sim.sample_interval_h > 1e5)
      r.fail_key(r.node("sample_interval_h"), "sample_interval_h", "more than 100,000 samples per unit: raise `sample_interval_h`");
  }
  read_calendars(top, s);
  read_request_types(top, s);
  read_units(top, s);
  read_populations(top, s);
  if (top.has("behaviour")) {
    Reader r(prov, top.node("behaviour"), "behaviour",
             {"reporting", "abandonment", "trust", "bad_experience_drop", "good_experience_gain", "spread_weight",
              "slow_share", "word_of_mouth_delay_h", "feedback_delay_h"});
    auto& b = s.behaviour;
    b.reporting = r.boolean("reporting", b.reporting);
    b.abandonment = r.boolean("abandonment", b.abandonment);
    b.trust = r.boolean("trust", b.trust);
    b.bad_experience_drop = r.number("bad_experience_drop", b.bad_experience_drop, 0.0, 1.0);
    b.good_experience_gain = r.number("good_experience_gain", b.good_experience_gain, 0.0, 1.0);
    b.spread_weight = r.number("spread_weight", b.spread_weight, 0.0, 1.0);
    b.slow_share = r.number("slow_share", b.slow_share, 0.0, 100.0, true);
    b.word_of_mouth_delay_h = r.distribution("word_of_mouth_delay_h", b.word_of_mouth_delay_h);
    b.feedback_delay_h = r.distribution("feedback_delay_h", b.feedback_delay_h);
  }
  if (top.has("platform")) {
    Reader r(prov, top.node("platform"), "platform",
             {"coverage", "misroute_reduction", "parallel_signoffs", "online_delay_h", "handoff_h"});
    auto& p = s.platform;
    p.coverage = r.number("coverage", p.coverage, 0.0, 1.0);
    p.misroute_reduction = r.number("misroute_reduction", p.misroute_reduction, 0.0, 1.0);
    p.parallel_signoffs = r.boolean("parallel_signoffs", p.parallel_signoffs);
    p.online_delay_h = r.number("online_delay_h", p.online_delay_h, 0.0, 1000.0);
    p.handoff_h = r.number("handoff_h", p.handoff_h, 0.0, 1000.0, true);
  }
  if (top.has("handoffs")) {
    Reader r(prov, top.node("handoffs"), "handoffs",
             {"transfer_delay_h", "redocumentation_h", "loss_probability", "arbitration_after_bounces",
              "arbitration_delay_h", "max_reworks"});
    auto& h = s.handoffs;
    h.transfer_delay_h = r.distribution("transfer_delay_h", h.transfer_delay_h);
    if (!(h.transfer_delay_h.minimum() > 0.0))
      r.fail_key(r.node("transfer_delay_h"), "transfer_delay_h",
                 "`transfer_delay_h` must have a positive minimum (add an `offset`): it is the engine's lookahead");
    h.redocumentation_h = r.distribution("redocumentation_h", h.redocumentation_h);
    h.loss_probability = r.number("loss_probability", h.loss_probability, 0.0, 1.0);
    h.arbitration_after_bounces = r.integer("arbitration_after_bounces", h.arbitration_after_bounces, 1, 1000);
    h.arbitration_delay_h = r.distribution("arbitration_delay_h", h.arbitration_delay_h);
    h.max_reworks = r.integer("max_reworks", h.max_reworks, 0, 100);
  }
  check_references(s, prov, root);
  apply_contracts(s, prov, root);
  s.uncertain = read_uncertain(root["uncertain"], root, [&](const std::string& p, const YAML::Node& at, const std::string& m) {
    fail_at(prov, p, at, m);
  });
  return s;
}

}  // namespace

YAML::Node parse_guarded_yaml(const std::string& text, const std::string& file) { return parse_yaml(text, file); }

}  // namespace govsim
