#include "checker/internal/dependency_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>

namespace rwttt::internal {
namespace {

enum class EdgeKind : std::uint8_t { kPo, kWr, kWw, kRw, kRt };

struct EdgeProp {
  EdgeKind kind = EdgeKind::kPo;
};

// Compressed sparse rows with 32-bit indices: 4 bytes a vertex, 5 an edge.
using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, EdgeProp,
                                                 boost::no_property, std::uint32_t, std::uint32_t>;
using EdgeList = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// Calls fn(from, to, kind) for every wr, ww and rw edge: from the version each step saw and each
// WRITE committed (docs/checker.md#the-dependency-graph). O(n log n).
template <typename Fn>
void ForEachVersionEdge(const Records& records, std::uint32_t owners, Fn&& fn) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> writes;  // (owner << 32 | version, step)
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    if (records[i].is_write()) {
      writes.emplace_back(std::uint64_t{records[i].owner_index} << 32 | records[i].commit_version,
                          i);
    }
  }
  std::sort(writes.begin(), writes.end());
  for (std::size_t i = 1; i < writes.size(); ++i) {
    if (writes[i].first >> 32 == writes[i - 1].first >> 32) {
      fn(writes[i - 1].second, writes[i].second, EdgeKind::kWw);
    }
  }
  // Where each owner's commits start in `writes`: versions 1, 2, ... usually sit one after
  // another, so most lookups need no search.
  std::vector<std::uint32_t> first_write(owners, kNone);
  for (std::size_t i = writes.size(); i-- > 0;) {
    first_write[writes[i].first >> 32] = static_cast<std::uint32_t>(i);
  }
  // The earliest WRITE (history order) committing (owner, version), or kNone.
  auto writer = [&](std::uint32_t owner, std::uint64_t version) -> std::uint32_t {
    const std::uint64_t key = std::uint64_t{owner} << 32 | version;
    const std::uint32_t first = first_write[owner];
    if (first == kNone || version == 0) return kNone;
    const std::size_t guess = first + version - 1;
    if (guess < writes.size() && writes[guess].first == key &&
        (guess == first || writes[guess - 1].first != key)) {
      return writes[guess].second;
    }
    const auto it = std::lower_bound(writes.begin(), writes.end(), std::make_pair(key, 0u));
    return it != writes.end() && it->first == key ? it->second : kNone;
  };
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    const StepRecord& r = records[i];
    if (r.seen_version > 0) {
      const std::uint32_t w = writer(r.seen_owner_index, r.seen_version);
      if (w != kNone && w != i) fn(w, i, EdgeKind::kWr);
    }
    const std::uint32_t next = writer(r.seen_owner_index, std::uint64_t{r.seen_version} + 1);
    if (next != kNone && next != i) fn(i, next, EdgeKind::kRw);
  }
}

// Whether every edge of the graph goes forward in history order, so that history order is a
// topological order and the graph is acyclic, without building it. po edges do by construction;
// a wr, ww or rw edge between two steps of one owner that goes forward is implied by po and needs
// no check either. rt edges go forward when the history is in order of start_ns and, among steps
// that start at one instant, the instantaneous ones come first (only those can precede a step that
// starts when they do). O(n log n); the common case for a correct history.
bool AllEdgesForward(const RecordSet& set) {
  const Records& records = set.records;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const StepRecord& a = records[i - 1];
    const StepRecord& b = records[i];
    if (b.start_ns < a.start_ns) return false;
    if (b.start_ns == a.start_ns && a.took_time() && !b.took_time()) return false;
  }
  bool forward = true;
  ForEachVersionEdge(records, static_cast<std::uint32_t>(set.owner_ids.size()),
                     [&](std::uint32_t from, std::uint32_t to, EdgeKind) {
                       if (from > to) forward = false;
                     });
  return forward;
}

struct Builder {
  const Records& records;
  std::uint32_t owners = 0;
  EdgeList edges;
  std::vector<EdgeProp> kinds;
  std::uint32_t vertices = 0;

  void Add(std::uint32_t from, std::uint32_t to, EdgeKind kind) {
    edges.emplace_back(from, to);
    kinds.push_back({kind});
  }

  void AddVersionEdges() {
    ForEachVersionEdge(records, owners, [&](std::uint32_t from, std::uint32_t to, EdgeKind kind) {
      Add(from, to, kind);
    });
  }

  // Real-time order through barrier vertices: a barrier stands for "every step that ended so
  // far"; each start links from the newest barrier. O(n log n) to sort, O(n) edges.
  void AddRealTimeEdges() {
    const auto n = static_cast<std::uint32_t>(records.size());
    std::vector<std::uint32_t> order(n);
    for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
    // At one instant T the sweep goes: ends of steps that took time, starts of instantaneous
    // steps, their ends, then starts of steps that take time; so each start sees exactly the
    // ends that Precedes() puts before it, and they form a prefix of `ends`.
    auto start_key = [&](std::uint32_t i) {
      return std::make_tuple(records[i].start_ns, records[i].start_ns < records[i].end_ns, i);
    };
    auto by_start = [&](std::uint32_t a, std::uint32_t b) { return start_key(a) < start_key(b); };
    if (!std::is_sorted(order.begin(), order.end(), by_start)) {
      std::sort(order.begin(), order.end(), by_start);
    }
    std::vector<std::uint32_t> ends(order);
    auto end_key = [&](std::uint32_t i) {
      return std::make_tuple(records[i].end_ns, records[i].start_ns == records[i].end_ns, i);
    };
    auto by_end = [&](std::uint32_t a, std::uint32_t b) { return end_key(a) < end_key(b); };
    if (!std::is_sorted(ends.begin(), ends.end(), by_end)) {
      std::sort(ends.begin(), ends.end(), by_end);
    }
    std::uint32_t barrier = kNone;
    std::size_t e = 0;
    std::vector<std::uint32_t> pending;
    for (const std::uint32_t b : order) {
      while (e < n && Precedes(records[ends[e]], records[b])) pending.push_back(ends[e++]);
      if (!pending.empty()) {
        const std::uint32_t next = vertices++;
        if (barrier != kNone) Add(barrier, next, EdgeKind::kRt);
        for (const std::uint32_t p : pending) Add(p, next, EdgeKind::kRt);
        pending.clear();
        barrier = next;
      }
      if (barrier != kNone) Add(barrier, b, EdgeKind::kRt);
    }
  }
};

struct Hop {
  std::uint32_t from;
  std::uint32_t to;
  EdgeKind kind;
};

class Witness {
 public:
  Witness(const Graph& g, const std::vector<std::uint32_t>& comp, std::uint32_t steps)
      : g_(g),
        comp_(comp),
        steps_(steps),
        pred_(num_vertices(g), kNone),
        pred_kind_(num_vertices(g)),
        stamp_(num_vertices(g), 0) {}

  // The shortest cycle through `start` inside its component, as step-to-step hops (rt hops
  // through barriers collapsed). Breadth-first by hand because Boost's BFS cannot stop early
  // without an exception, and this one stops at the first edge back to `start`.
  std::vector<Hop> ShortestCycle(std::uint32_t start) {
    ++run_;
    std::vector<std::uint32_t> queue{start};
    stamp_[start] = run_;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const std::uint32_t u = queue[head];
      for (auto [it, end] = out_edges(u, g_); it != end; ++it) {
        const std::uint32_t v = target(*it, g_);
        if (comp_[v] != comp_[start]) continue;
        if (v == start) return Collapse(start, u, g_[*it].kind);
        if (stamp_[v] == run_) continue;
        stamp_[v] = run_;
        pred_[v] = u;
        pred_kind_[v] = g_[*it].kind;
        queue.push_back(v);
      }
    }
    return {};
  }

 private:
  std::vector<Hop> Collapse(std::uint32_t start, std::uint32_t last, EdgeKind closing) {
    std::vector<std::pair<std::uint32_t, EdgeKind>> path{
        {last, closing}};  // (vertex, its out edge)
    for (std::uint32_t v = last; v != start;) {
      path.emplace_back(pred_[v], pred_kind_[v]);
      v = pred_[v];
    }
    std::reverse(path.begin(), path.end());
    std::vector<Hop> hops;
    std::uint32_t from = kNone;
    EdgeKind kind = EdgeKind::kRt;
    for (std::size_t i = 0; i <= path.size(); ++i) {
      const std::uint32_t v = i < path.size() ? path[i].first : start;
      if (v < steps_) {
        if (from != kNone) hops.push_back({from, v, kind});
        from = v;
        kind = i < path.size() ? path[i].second : EdgeKind::kRt;
      } else {
        kind = EdgeKind::kRt;  // through a barrier
      }
    }
    return hops;
  }

  const Graph& g_;
  const std::vector<std::uint32_t>& comp_;
  std::uint32_t steps_;
  std::vector<std::uint32_t> pred_;
  std::vector<EdgeKind> pred_kind_;
  std::vector<std::uint32_t> stamp_;
  std::uint32_t run_ = 0;
};

std::string Explain(const Hop& h, const RecordSet& set) {
  const Records& rec = set.records;
  const std::vector<OwnerId>& owners = set.owner_ids;
  const StepRecord& a = rec[h.from];
  const StepRecord& b = rec[h.to];
  const std::string sa = set.DescribeBrief(h.from);
  const std::string sb = set.DescribeBrief(h.to);
  switch (h.kind) {
    case EdgeKind::kPo:
      return fmt::format("{} precedes {} in owner {}'s program (po)", sa, sb,
                         owners[a.owner_index].value());
    case EdgeKind::kWr:
      return fmt::format("{} committed version {} of owner {}, which {} read (wr)", sa,
                         a.commit_version, owners[a.owner_index].value(), sb);
    case EdgeKind::kWw:
      return fmt::format(
          "{} committed version {} of owner {}, and {} committed version {} "
          "after it (ww)",
          sa, a.commit_version, owners[a.owner_index].value(), sb, b.commit_version);
    case EdgeKind::kRw:
      return fmt::format(
          "{} read version {} of owner {}, which {} overwrote by committing "
          "version {} (rw)",
          sa, a.seen_version, owners[a.seen_owner_index].value(), sb, b.commit_version);
    case EdgeKind::kRt:
      break;
  }
  // Precedes: ended before the other started, or as it started when one of them took time.
  return fmt::format("{} ended at {} ns, {} {} started at {} ns (rt)", sa, a.end_ns,
                     a.end_ns < b.start_ns ? "before" : "as", sb, b.start_ns);
}

void ReportCycle(const std::vector<Hop>& hops, const RecordSet& set, Findings& findings) {
  const Records& rec = set.records;
  const std::vector<OwnerId>& owners = set.owner_ids;
  int rw = 0, wr = 0;
  for (const Hop& h : hops) {
    rw += h.kind == EdgeKind::kRw;
    wr += h.kind == EdgeKind::kWr;
  }
  const CycleClass cls = rw == 0   ? (wr == 0 ? CycleClass::kG0 : CycleClass::kG1c)
                         : rw == 1 ? CycleClass::kGSingle
                                   : CycleClass::kG2;
  std::optional<std::uint64_t> owner = owners[rec[hops.front().from].owner_index].value();
  for (const Hop& h : hops) {
    if (owner && owners[rec[h.from].owner_index].value() != *owner) owner.reset();
  }
  findings.Add(AnomalyType::kCycle, owner, [&] {
    Detail d;
    d.cycle_class = cls;
    d.explanation = fmt::format("{}: a cycle of {} steps, so no serial order exists. ",
                                CycleClassName(cls), hops.size());
    for (std::size_t i = 0; i < hops.size(); ++i) {
      d.steps.push_back(rec[hops[i].from].step_id);
      d.explanation += i == 0 ? "" : "; then ";
      d.explanation += Explain(hops[i], set);
    }
    d.explanation += fmt::format("; which brings the order back to step {}, a contradiction.",
                                 rec[hops.front().from].step_id);
    return d;
  });
}

}  // namespace

std::optional<std::vector<std::uint64_t>> CheckDependencyGraph(const RecordSet& set,
                                                               bool want_order,
                                                               Findings& findings) {
  const auto steps = static_cast<std::uint32_t>(set.records.size());
  if (AllEdgesForward(set)) {
    if (!want_order) return std::nullopt;
    std::vector<std::uint64_t> order;
    order.reserve(steps);
    for (const StepRecord& r : set.records) order.push_back(r.step_id);
    return order;
  }
  Builder b{set.records, static_cast<std::uint32_t>(set.owner_ids.size()), {}, {}, steps};
  for (std::uint32_t o = 0; o < set.owner_ids.size(); ++o) {
    const auto owner_steps = set.StepsOf(o);
    for (std::size_t i = 1; i < owner_steps.size(); ++i) {
      b.Add(owner_steps[i - 1], owner_steps[i], EdgeKind::kPo);
    }
  }
  b.AddVersionEdges();
  b.AddRealTimeEdges();
  Graph g(boost::edges_are_unsorted_multi_pass, b.edges.begin(), b.edges.end(), b.kinds.begin(),
          b.vertices);
  b.edges = {};
  b.kinds = {};
  std::vector<std::uint32_t> comp(b.vertices);
  const std::uint32_t count = boost::strong_components(
      g, boost::make_iterator_property_map(comp.begin(), get(boost::vertex_index, g)));
  if (count == b.vertices) {
    if (!want_order) return std::nullopt;
    // Tarjan numbers components in reverse topological order.
    std::vector<std::uint32_t> position(count);
    for (std::uint32_t v = 0; v < b.vertices; ++v) position[count - 1 - comp[v]] = v;
    std::vector<std::uint64_t> order;
    order.reserve(steps);
    for (const std::uint32_t v : position) {
      if (v < steps) order.push_back(set.records[v].step_id);
    }
    return order;
  }
  std::vector<std::uint32_t> size(count, 0);
  for (const std::uint32_t c : comp) ++size[c];
  // Cyclic components in order of their first step; witnesses from their first steps.
  std::vector<std::uint32_t> cyclic;
  std::vector<std::vector<std::uint32_t>> starts;
  for (std::uint32_t v = 0; v < steps; ++v) {
    const std::uint32_t c = comp[v];
    if (size[c] < 2) continue;
    auto it = std::find(cyclic.begin(), cyclic.end(), c);
    if (it == cyclic.end()) {
      if (cyclic.size() == kMaxCyclesReported) continue;
      cyclic.push_back(c);
      starts.emplace_back();
      it = cyclic.end() - 1;
    }
    auto& s = starts[it - cyclic.begin()];
    if (s.size() < kWitnessStarts) s.push_back(v);
  }
  Witness witness(g, comp, steps);
  for (const auto& s : starts) {
    std::vector<Hop> best;
    for (const std::uint32_t v : s) {
      std::vector<Hop> hops = witness.ShortestCycle(v);
      if (!hops.empty() && (best.empty() || hops.size() < best.size())) best = std::move(hops);
    }
    if (!best.empty()) ReportCycle(best, set, findings);
  }
  return std::nullopt;
}

}  // namespace rwttt::internal
