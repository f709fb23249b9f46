package client

// Response bodies copied verbatim from the provider's two pages (/work/shared/api): "newer" is
// the Japanese page, "older" the Russian one. They seed the fuzz targets too.

const newerCategories = `{
  "categories": [
    {
      "category": "Instagram",
      "subcategories": ["Followers", "Comments", "Likes"]
    },
    {
      "category": "Email Accounts",
      "subcategories": ["Gmail", "Outlook"]
    }
  ]
}`

const newerServices = `{
  "services": [
    {
      "id": "507f1f77bcf86cd799439011",
      "service": 1,
      "name": "Instagram Followers",
      "type": "Default",
      "category": "Instagram",
      "rate": "0.50",
      "min": 100,
      "max": 10000,
      "refill": true,
      "cancel": false,
      "stock": 10000,
      "entityType": "smm",
      "autoDelivery": true
    },
    {
      "id": "507f1f77bcf86cd799439012",
      "service": 2,
      "name": "Gmail Account - USA",
      "type": "Default",
      "category": "Accounts-Email",
      "rate": "25.00",
      "min": 1,
      "max": 50,
      "refill": false,
      "cancel": false,
      "stock": 50,
      "entityType": "product",
      "autoDelivery": true,
      "description": "Verified Gmail account with recovery email",
      "imageUrl": "https://example.com/uploads/products/gmail.webp"
    }
  ],
  "total": 150,
  "page": 1,
  "limit": 50,
  "total_pages": 3
}`

const olderServices = `{
  "services": [
    {
      "service": 1,
      "name": "Instagram Followers",
      "type": "Default",
      "category": "Instagram",
      "rate": "0.50",
      "min": 100,
      "max": 10000,
      "refill": true,
      "cancel": false,
      "stock": 10000
    },
    {
      "service": 2,
      "name": "Instagram Comments",
      "type": "Custom Comments",
      "category": "Instagram",
      "rate": "5.00",
      "min": 10,
      "max": 1000,
      "refill": false,
      "cancel": false,
      "stock": 1000
    }
  ],
  "total": 150,
  "page": 1,
  "limit": 50,
  "total_pages": 3
}`

const newerInventorySMM = `{
  "service": 1,
  "stock": 10000,
  "available": true,
  "rate": "0.5000",
  "entityType": "smm",
  "autoDelivery": true
}`

const newerInventoryProduct = `{
  "service": 23501,
  "stock": 42,
  "available": true,
  "rate": "25.0000",
  "min": 1,
  "max": 42,
  "entityType": "product",
  "autoDelivery": true,
  "subproducts": [
    { "subproductId": "674a1f77bcf86cd799439011", "name": "1 Month", "stock": 42 },
    { "subproductId": "674a1f77bcf86cd799439012", "name": "3 Months", "stock": 0 }
  ]
}`

const olderInventory = `{
  "service": 23501,
  "stock": 42,
  "available": true
}`

const docAdd = `{
  "order": 23501
}`

const newerStatus = `{
  "status": "In progress",
  "charge": "5.00",
  "start_count": 1000,
  "remains": 500,
  "currency": "USD",
  "autoDelivery": true
}`

const newerStatusProduct = `{
  "status": "Completed",
  "charge": "10.00",
  "start_count": 5,
  "remains": 0,
  "currency": "USD",
  "entityType": "product",
  "autoDelivery": true,
  "accounts": [
    "user1:pass1",
    "user2:pass2"
  ]
}`

const olderStatus = `{
  "status": "In progress",
  "charge": "5.00",
  "start_count": 1000,
  "remains": 500,
  "currency": "USD"
}`

const docBalance = `{
  "balance": "100.00",
  "currency": "USD"
}`

const docSMSProjects = `[
  {
    "project_id": "65f...",
    "name": "OpenAI / ChatGPT",
    "price": "0.5000",
    "country_id": "us",
    "country_title": "United States"
  }
]`

const docSMSCountries = `[
  {
    "country_code": "us",
    "country_name": "United States"
  },
  {
    "country_code": "gb",
    "country_name": "United Kingdom"
  }
]`

const docAddSMS = `{
  "orders": [
    {
      "order": 12345,
      "phone": "+1234567890",
      "country": "us",
      "status": "active"
    }
  ]
}`

const docSMSCodeCompleted = `{
  "status": "completed",
  "code": "123456",
  "sms_content": "Your verification code is 123456"
}`

const docSMSCodeWaiting = `{
  "status": "waiting",
  "message": "Waiting for code"
}`

const docSMSStatus = `{
  "status": "code_received",
  "phone": "+1234567890",
  "code": "123456",
  "charge": "0.5000",
  "currency": "USD",
  "expires_at": "2023-01-01T12:00:00.000Z"
}`

// docErrors are the documented error answers, verbatim.
var docErrors = []string{
	`{"error": "Invalid API key"}`,
	`{"error": "Invalid action"}`,
	`{"error": "Service ID is required"}`,
	`{"error": "Insufficient balance"}`,
	`{"error": "Order not found"}`,
	`{"error": "Service not found"}`,
}

// A shops answer in the shape SPEC.md reads (the pages give no example).
const specShops = `{"shops": [{"id": "6650aa", "name": "Sh***1", "productCount": 12, "rating": 4.5, "reviewCount": 8}],
 "total": 1, "page": 1, "limit": 20, "total_pages": 1}`

const html502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>`
