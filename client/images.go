package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxImageBytes caps a product image: a catalog thumbnail, not a download.
const MaxImageBytes = 4 << 20

// ErrNotImage is returned for an image URL that answers with something else than an image.
var ErrNotImage = errors.New("hstockplus: not an image")

// FetchImage downloads a product image (Service.ImageURL) with a GET. The same rules as the API
// hold: https only, plain http on loopback; no redirects followed; at most MaxImageBytes. The API
// key is never sent. It returns the bytes and their content type.
func (c *Client) FetchImage(ctx context.Context, imageURL string) ([]byte, string, error) {
	u, err := url.Parse(imageURL)
	if err != nil || u.Host == "" {
		return nil, "", invalidArg("image", "not a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return nil, "", invalidArg("image", "plain http is refused except on loopback")
		}
	default:
		return nil, "", invalidArg("image", "unsupported scheme")
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", invalidArg("image", "bad request")
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "image/png,image/jpeg,image/webp,image/gif,image/*;q=0.8")
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, "", &TransportError{Action: "image", Err: timedOut(ctx, c.redact.err(err))}
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, "", &TransportError{Action: "image", HTTPStatus: res.StatusCode}
	}
	ct := res.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "image/") {
		return nil, "", fmt.Errorf("%w: %s", ErrNotImage, c.redact.clean(ct, 60))
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxImageBytes+1))
	if err != nil {
		return nil, "", &TransportError{Action: "image", HTTPStatus: res.StatusCode, Err: timedOut(ctx, c.redact.err(err))}
	}
	if len(b) > MaxImageBytes {
		return nil, "", fmt.Errorf("image: %w", ErrBodyTooLarge)
	}
	if ct == "" {
		ct = http.DetectContentType(b)
		if !strings.HasPrefix(ct, "image/") {
			return nil, "", ErrNotImage
		}
	}
	return b, ct, nil
}
