// models/app/input/yaml_input.cpp: the YAML guard (see yaml_input.hpp).
#include "models/app/input/yaml_input.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace govsim {
namespace fs = std::filesystem;

void fail_mark(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  throw InputError(file, mark.line >= 0 ? mark.line + 1 : 0, mark.line >= 0 ? mark.column + 1 : 0, message);
}

namespace {

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
    if (depth() + a.height > kMaxYamlDepth)
      note(mark, "the document nests deeper than " + std::to_string(kMaxYamlDepth) + " levels once its aliases are expanded");
    add(mark, a.nodes, "aliases expand the document to more than " + std::to_string(kMaxYamlNodes) + " nodes (an alias bomb?)");
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
      if (f.keys.size() > kMaxYamlKeys) note(mark, "more than " + std::to_string(kMaxYamlKeys) + " keys in one mapping");
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
    if (total_ > kMaxYamlNodes) note(mark, message);
  }
  void remember(YAML::anchor_t anchor, std::uint64_t nodes, int height, bool complete) {
    if (anchor == YAML::NullAnchor) return;
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
    anchors_[anchor] = Anchored{nodes, height, complete};
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    add(mark, 1, "the document has more than " + std::to_string(kMaxYamlNodes) + " nodes");
    remember(anchor, 1, 1, true);
    child_done(1, 1);
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    if (key_expected()) note(mark, "a key must be text, not a list or mapping");
    // At once, not deferred: yaml-cpp's own guard would stop it at 2,000 levels with "bad file".
    if (depth() + 1 > kMaxYamlDepth)
      fail_mark(file_, mark, "the document nests deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    add(mark, 1, "the document has more than " + std::to_string(kMaxYamlNodes) + " nodes");
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
    parent.height = std::max(parent.height, std::min(height, kMaxYamlDepth) + 1);
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

}  // namespace

/// Parses YAML text: the guard first, then yaml-cpp's tree. Errors name `file`.
YAML::Node parse_guarded_yaml(const std::string& text, const std::string& file) {
  if (text.find('\0') != std::string::npos) throw InputError(file, 0, 0, "binary data: not a YAML text file");
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

std::string read_input_file(const std::string& file, const std::string& kind, std::uintmax_t max_bytes) {
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (status.type() == fs::file_type::not_found) throw InputError(file, 0, 0, "no such file");
  if (ec) throw InputError(file, 0, 0, "cannot read: " + ec.message());
  if (fs::is_directory(status)) throw InputError(file, 0, 0, "is a folder, not a " + kind + " file");
  // Devices and pipes could block or never end (/dev/zero, a FIFO nobody writes).
  if (!fs::is_regular_file(status)) throw InputError(file, 0, 0, "is not a regular file");
  const auto size = fs::file_size(file, ec);
  if (ec) throw InputError(file, 0, 0, "cannot read: " + ec.message());
  const std::string too_big = "; " + kind + " files are limited to " + std::to_string(max_bytes) + " bytes";
  if (size > max_bytes) throw InputError(file, 0, 0, "file is " + std::to_string(size) + " bytes" + too_big);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file, 0, 0, "cannot open for reading");
  // Read in chunks, at most one past the limit: some regular files (/proc) report size 0. (Not one
  // buffer of the limit's size: zeroing 8 MiB per file was a cost paid by every run of a sweep or calibration.)
  std::string text;
  text.reserve(static_cast<std::size_t>(size) + 1);
  char chunk[1 << 16];
  while (in && text.size() <= max_bytes) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError(file, 0, 0, "cannot read");
  if (text.size() > max_bytes) throw InputError(file, 0, 0, "file is larger than the limit" + too_big);
  return text;
}

}  // namespace govsim
