package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// A mass order: many lines read by ParseMassText or ParseMassCSV, checked against the catalog by
// ValidateMass, confirmed once, stored as a batch (StartBatch) and sent by RunBatch one line after
// the other, each line a normal spend (journaled, sent once, never re-sent). A batch interrupted
// by a crash is offered again (InterruptedBatches) with its unsent lines only.

// Batch is a stored mass order; BatchLine one of its lines (SpendID zero: not sent).
type (
	Batch     = cache.Batch
	BatchLine = cache.BatchLine
)

// ErrBatchLineSent: the line was sent already; it is not sent again.
var ErrBatchLineSent = cache.ErrBatchLineSent

// MassCheck is the outcome of ValidateMass: the lines as checked, and the total estimate of
// those that can be ordered.
type MassCheck struct {
	Lines []Line
	Valid int
	Total client.Decimal // of the valid lines; every one has a known price
}

// ValidateMass checks each line against the catalog (lookup finds a row by its service number;
// nil or finding nothing: no catalog). A line is orderable when its service exists, its
// quantity is within the service's range and in stock, it has the link an SMM service needs, the
// comments a Custom Comments service needs (as many as the quantity), and its price is known:
// an unknown price makes the line invalid, never a zero.
func ValidateMass(lines []Line, lookup func(service int64) (client.Service, bool)) MassCheck {
	c := MassCheck{Lines: make([]Line, len(lines))}
	total := decimal.Zero
	for i, l := range lines {
		if l.Problem == NoProblem {
			l = validateLine(l, lookup)
		}
		if l.OK() {
			c.Valid++
			total = total.Add(l.Estimate.Decimal)
		}
		c.Lines[i] = l
	}
	c.Total = client.NewDecimal(total) // exact: the sum keeps the finest scale of its terms
	return c
}

func validateLine(l Line, lookup func(int64) (client.Service, bool)) Line {
	if lookup == nil {
		l.Problem = ProblemNoCatalog
		return l
	}
	s, ok := lookup(l.Service)
	if !ok {
		l.Problem = ProblemUnknownService
		return l
	}
	l.Label = s.Name
	custom := s.IsCustomComments()
	count := int64(0)
	if l.Comments != "" {
		count = int64(strings.Count(l.Comments, "\n") + 1)
	}
	switch {
	case custom && count == 0:
		l.Problem = ProblemNoComments
	case custom && count > MaxComments:
		l.Problem, l.Count = ProblemCommentCount, count
	case custom && count != l.Quantity:
		l.Problem, l.Count = ProblemCommentCount, count
	case !custom && count > 0:
		l.Problem = ProblemNotComments
	case (s.Min > 0 && l.Quantity < s.Min) || (s.Max > 0 && l.Quantity > s.Max):
		l.Problem, l.Min, l.Max = ProblemRange, s.Min, s.Max
	case !s.IsProduct() && l.Link == "":
		l.Problem = ProblemNoLink
	case strings.IndexFunc(l.Link, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		l.Problem = ProblemBadLink
	case s.Stock < l.Quantity:
		l.Problem, l.Stock = ProblemStock, s.Stock
	case !s.PriceKnown():
		l.Problem = ProblemPrice
	}
	if l.Problem != NoProblem {
		return l
	}
	l.Estimate, _ = s.EstimateCost(l.Quantity)
	return l
}

// StartBatch stores the valid lines of a checked mass order as a batch, none sent yet, and
// returns it. The lines with a problem are left out.
func (s *Service) StartBatch(c MassCheck) (Batch, error) {
	var lines []BatchLine
	for _, l := range c.Lines {
		if !l.OK() {
			continue
		}
		lines = append(lines, BatchLine{Line: l.N, Service: l.Service, Quantity: l.Quantity, Link: l.Link,
			Comments: l.Comments, Label: l.Label, Estimate: l.Estimate})
	}
	if len(lines) == 0 {
		return Batch{}, errors.New("account: no line of the mass order can be ordered")
	}
	b, err := s.store.CreateBatch(lines)
	if err != nil {
		return Batch{}, &StoreError{What: "saving the mass order", Err: err}
	}
	s.logf("mass order %d: %d lines to send", b.ID, len(lines))
	return b, nil
}

// LineResult is what became of one line of a batch.
type LineResult struct {
	Index int // in Batch.Lines
	Line  BatchLine
	// Outcome: Placed (Order), NotPlaced (Err: refused or not sent), Unconfirmed (Err: the
	// answer was lost). Sending: the line is being sent now (only in progress reports).
	Outcome Outcome
	Order   int64
	Warning string
	Err     error
	Sending bool
}

// RunProgress is called before and after each line is sent, on RunBatch's goroutine.
type RunProgress func(r LineResult)

// lineTimeout bounds the sending of one line.
const lineTimeout = 2 * time.Minute

// ErrStopped: the run was stopped before every line was sent; the rest stay unsent.
var ErrStopped = errors.New("account: the mass order was stopped; the lines not sent were not sent")

// RunBatch sends the unsent lines of batch id one after another, each through the same path as
// PlaceOrder: journaled with the line (synced) before it is sent, sent once, never re-sent. A
// line that fails does not stop the others. stop (may be nil) is looked at before each line:
// once closed, no further line is sent — the one being sent is never interrupted by it. ctx is
// the session's: when it ends the run stops too (a line in flight then ends unconfirmed, as in
// a crash). When every line has been sent the batch is deleted; otherwise it stays, to be
// offered again. The results are those of the lines sent in this run.
func (s *Service) RunBatch(ctx context.Context, id uint64, stop <-chan struct{}, progress RunProgress) ([]LineResult, error) {
	if progress == nil {
		progress = func(LineResult) {}
	}
	b, err := s.store.Batch(id)
	if err != nil {
		return nil, err
	}
	var out []LineResult
	for i, l := range b.Lines {
		if l.SpendID != 0 {
			continue
		}
		select {
		case <-stop:
			return out, ErrStopped
		default:
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		progress(LineResult{Index: i, Line: l, Sending: true})
		r := s.sendLine(ctx, id, i, l)
		out = append(out, r)
		progress(r)
		if errors.Is(r.Err, ErrNotJournaled) && !errors.Is(r.Err, ErrBatchLineSent) {
			// The store cannot be written: no further line can be journaled either.
			return out, r.Err
		}
	}
	if err := s.store.DeleteBatch(id); err != nil {
		s.logf("mass order %d: all sent, but not forgotten: %v", id, err)
	}
	return out, nil
}

func (s *Service) sendLine(ctx context.Context, id uint64, i int, l BatchLine) LineResult {
	ctx, cancel := context.WithTimeout(ctx, lineTimeout)
	defer cancel()
	req := l.Request()
	p, err := s.placeOrder(ctx, req, func() (cache.Spend, error) { return s.store.BeginBatchAdd(id, i) })
	r := LineResult{Index: i, Line: l, Outcome: p.Outcome, Order: p.Order, Warning: p.Warning, Err: err}
	switch p.Outcome {
	case Placed:
		s.logf("mass order %d: line %d placed as #%d", id, l.Line, p.Order)
	default:
		s.logf("mass order %d: line %d %s: %v", id, l.Line, outcomeWord(p.Outcome), err)
	}
	return r
}

func outcomeWord(o Outcome) string {
	switch o {
	case Placed:
		return "placed"
	case Unconfirmed:
		return "unconfirmed"
	}
	return "not placed"
}

// BatchView is a stored batch with what became of each line sent: the journal entry of each
// line that has one (zero State for a line not sent).
type BatchView struct {
	Batch  Batch
	Spends []Spend // per line; ID zero: not sent
}

// Unsent is how many lines have not been sent.
func (v BatchView) Unsent() int { return v.Batch.Unsent() }

// InterruptedBatches lists the batches left with lines not sent (the app stopped, or the user
// stopped the run), oldest first, each with the journal entries of its lines sent. A batch whose
// every line was sent (the app stopped before it was forgotten) is forgotten now.
func (s *Service) InterruptedBatches() ([]BatchView, error) {
	bs, err := s.store.Batches()
	if err != nil {
		return nil, err
	}
	var out []BatchView
	for _, b := range bs {
		if b.Unsent() == 0 {
			if err := s.store.DeleteBatch(b.ID); err != nil {
				s.logf("mass order %d: %v", b.ID, err)
			}
			continue
		}
		v, err := s.batchView(b)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// BatchView reads batch id with the journal entries of its lines.
func (s *Service) BatchView(id uint64) (BatchView, error) {
	b, err := s.store.Batch(id)
	if err != nil {
		return BatchView{}, err
	}
	return s.batchView(b)
}

func (s *Service) batchView(b Batch) (BatchView, error) {
	v := BatchView{Batch: b, Spends: make([]Spend, len(b.Lines))}
	for i, l := range b.Lines {
		if l.SpendID == 0 {
			continue
		}
		sp, err := s.store.Spend(l.SpendID)
		if err != nil {
			return BatchView{}, fmt.Errorf("mass order %d, line %d: %w", b.ID, l.Line, err)
		}
		v.Spends[i] = sp
	}
	return v, nil
}

// DiscardBatch forgets a batch: its lines not sent will never be sent. Those sent stay in the
// journal and the Orders tab.
func (s *Service) DiscardBatch(id uint64) error {
	if err := s.store.DeleteBatch(id); err != nil {
		return &StoreError{What: "forgetting the mass order", Err: err}
	}
	s.logf("mass order %d: discarded by the user", id)
	return nil
}
