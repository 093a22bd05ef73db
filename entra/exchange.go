package entra

// Reasons an attempt was retried, recorded on the retry's exchange.
const (
	// RetryThrottled: the previous attempt was answered 429 Too Many Requests.
	RetryThrottled = "throttled"
	// RetryTimeout: the previous attempt got no answer in time; a write may have been applied.
	RetryTimeout = "timeout"
)
