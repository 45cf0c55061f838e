"""Connex's request bodies as Json.NET writes them, for the tests of every action that reads a body.

Json.NET writes every property of Connex's C# classes, in declaration order, PascalCase, nulls and zeros
for the unused ones, decimals with a point (``17.0``), .NET's empty date ``0001-01-01T00:00:00`` for an
unset ``DateTime``, enums as numbers. Each builder takes JSON text for the properties it sets.
"""

from __future__ import annotations

EMPTY_DATE = '"0001-01-01T00:00:00"'
EMPTY_GUID = '"00000000-0000-0000-0000-000000000000"'

# Connex's classes as Json.NET writes a freshly constructed one: property -> JSON text.
JMACUSTOMER = {
    "Id": "null", "IsTaxExempt": "false", "CompanyName": "null", "Email": "null", "DefaultCurrencyCode": "null",
    "Website": "null", "BillingAddress": "null", "ShippingAddress": "null", "DefaultCategory": "[]", "Notes": "null",
    "JMACustomFields": "[]", "CreateDate": EMPTY_DATE, "ModifyDate": EMPTY_DATE, "TotalBalance": "0.0",
    "TotalRevenue": "0.0", "CustomerType": "null", "Tags": "[]", "GroupName": "null", "PriceLevel": "null",
    "AccountId": "null", "AccountNumber": "null",
}  # fmt: skip
JMAADDRESS = {
    "Address1": '""', "Address2": '""', "Address3": '""', "AltPhoneNumber": "null", "City": '""', "Company": '""',
    "CountryName": '""', "Customer": None, "Email": '""', "FaxNumber": '""', "FirstName": '""', "FullName": "null",
    "Id": "0", "IsBilling": "false", "JobTitle": "null", "JobName": "null", "LastName": '""', "MiddleName": '""',
    "OrderNumber": "null", "ParentCustomer": "null", "PhoneNumber": "null", "PostalCode": '""', "RegionName": '""',
    "TwoLetterIsoCode": '""', "VATNumber": "null", "SubjectToVat": "false",
}  # fmt: skip
JMAPRODUCT = {
    "AlternateId": "null", "Condition": "null", "AssemblyItems": "[]", "Barcode": "null", "Id": "0", "Color": "null",
    "DoNotSync": "false", "JMACustomFields": "[]", "ParentItem": "null", "ManagingStock": "null",
    "ProductGuid": EMPTY_GUID, "Sku": "null", "OriginalSku": "null", "HandlingTime": "0", "Amount": "0.0",
    "MSRP": "0.0", "Name": "null", "PurchaseCost": "0.0", "StockQuantity": "0.0", "IsDownload": "false",
    "IsService": "false", "Vendor": "null", "Department": "null", "DepartmentCode": "null", "InventoryStatus": "null",
    "ManufacturerPartNumber": "null", "MetaDescription": "null", "Description": "null", "Weight": "0.0",
    "IsTaxable": "false", "IsEnabled": "false", "Categories": "[]", "DateUpdated": EMPTY_DATE,
    "DateInserted": EMPTY_DATE, "Warehouse": "null", "UoM": "null", "ParentProduct": "null", "Size": "null",
    "Visible": "null", "IsInventory": "true", "ASIN": "null", "UPC": "null", "Brand": "null", "ALU": "null",
}  # fmt: skip
JMAORDERDETAIL = {
    "ASIN": "null", "BuildInventoryItemAssembly": "false", "DiscountExclTax": "0.0", "DiscountInclTax": "0.0",
    "Id": "0", "IsShipping": "false", "FulFillmentChannel": "null", "HasTax": "false", "InventorySiteLocation": "null",
    "ItemNumber": "null", "OrderId": "0", "OrderNumber": "null", "OrderProductId": "0", "Product": None,
    "Name": '""', "Other1": "null", "Other2": "null", "ParentItem": "null", "PriceExclTax": "0.0",
    "PriceInclTax": "0.0", "Quantity": "0.0", "QuantityReceived": "0.0", "Sku": "null", "UnitOfMeasure": "null",
    "ClassRef": "null", "ShipDate": "null", "Source": "null", "StoreName": "null", "UPC": "null", "LotNumber": "null",
    "TaxCode": "null", "JMACustomFields": "[]", "PriceExclTaxCustomerCurrency": "0.0",
    "DiscountExclTaxCustomerCurrency": "0.0", "PriceInclTaxCustomerCurrency": "0.0",
    "DiscountInclTaxCustomerCurrency": "0.0", "ISBN": "null", "OrderNumbersForItemSummary": "[]",
    "ServiceDate": EMPTY_DATE,
}  # fmt: skip
JMADISCOUNT = {"Id": "0", "Name": "null", "Amount": "0.0", "Percent": "0.0", "Code": "null", "NonTaxable": "false"}
JMAORDER = {
    "AffiliateName": "null", "AmountPaid": "0.0", "BalanceDue": "0.0", "BillingAddress": None, "BillToAccount": "null",
    "CardType": "null", "Class": "null", "CheckNumber": "null", "CreationDate": EMPTY_DATE, "CreditCardName": "null",
    "CustomerTaxCode": "null", "CurrencyCode": "null", "CustomFields": "[]", "Customer": None, "Department": "null",
    "Description": "null", "DidExport": "false", "DiscountExclTax": "0.0", "DiscountInclTax": "0.0",
    "DoNotImport": "false", "DoNotExport": "false", "Discounts": "[]", "DueDate": "null", "ExchangeRate": "0.0",
    "FOB": "null", "FulFillmentChannel": "null", "GiftMessage": "null", "Id": "0", "CustomerNote": "null",
    "InvoiceNumber": "null", "InvoiceTemplate": "null", "IsTaxInclusive": "false", "LinkToTxnID": "null",
    "JMACustomFields": "[]", "MerchantFeeItemName": "null", "MerchantPercent": "0.0", "ModifiedDate": EMPTY_DATE,
    "Note": "null", "OrderAccountsReceivableAccount": "null", "OrderDefaultExpenseAccount": "null",
    "OrderDiscountClassRef": "null", "OrderDepositAccount": "null", "OrderDetails": "[]", "OrderGuid": EMPTY_GUID,
    "OrderNumber": "null", "OrderShippingMethodClassRef": "null", "OrderStatus": "null", "Other": "null",
    "PaidDate": "null", "PaymentGatewayNames": "[]", "ParentOrderNumber": "null", "PartialRefund": "0.0",
    "PaymentMethodAdditionalFeeExclTax": "0.0", "PaymentTerms": "0", "PriceLevel": "null", "Project": "null",
    "PONumber": "null", "PrivateNote": "null", "QuickBooksCustomerFullName": "null", "QuickBooksId": "null",
    "QuickBooksPaymentIds": "null", "ReferenceNumber": "null", "RegisterName": "null", "SalesOrderNumber": "null",
    "SalesTerms": "null", "SalesRep": "null", "SalesTaxName": "null", "ShippingAddress": None, "ShippingDate": "null",
    "ShippingExclTax": "0.0", "ShippingMethod": "null", "ShippingMethodDescription": "null",
    "ShipmentBatchNumber": "null", "ShipVia": "null", "ShippingInclTax": "0.0", "StoreName": "null",
    "StoreType": "null", "Source": "null", "SplitShipmentParentOrderNumber": "null", "Tags": "[]", "TaxRate": "0.0",
    "TaxRateID": "0", "ToBePrinted": "null", "Total": "0.0", "TotalExclTax": "0.0", "TotalInclTax": "0.0",
    "TotalShippingCosts": "0.0", "TotalTax": "0.0", "TrackingNumber": "null", "Vendor": "null",
    "WarehouseName": "null", "GetCustomFieldsForHtml": '""', "GetTagsForHtml": '""', "Cashier": "null",
    "PackageCode": "null", "QuickBooksTxnId": "null", "TotalMerchantFees": "0.0", "MerchantFee": "0.0",
    "RemoveCountry": "false", "CustomerCurrencyCode": "null", "TotalCustomerCurrency": "0.0", "TotalRefund": "0.0",
    "ShippingTaxCode": "null", "ShippingExclTaxCustomerCurrency": "0.0", "ShippingInclTaxCustomerCurrency": "0.0",
    "BuyerUserId": "null", "DoNotImportInvoiceFromSalesOrder": "false", "IsExpense": "false",
    "PurchaseAssetAccount": "null", "AmountPaidInCustomerCurrency": "0.0", "TaxAmountRemitted": "0.0",
    "PurchaseType": "0", "QuickBooksTimeCreated": EMPTY_DATE, "QuickBooksTimeModified": EMPTY_DATE,
    "InvoiceMode": "0", "CustomerExchangeRate": "0.0", "SalesRepId": "null", "IsDraft": "false", "PayoutId": "null",
}  # fmt: skip


def json_net(shape: dict[str, str | None], **values: str) -> str:
    """One object of ``shape`` as Json.NET writes it; ``values`` (JSON text) replace the defaults."""
    unknown = set(values) - set(shape)
    assert not unknown, unknown
    nested = {"Customer": customer, "BillingAddress": address, "ShippingAddress": address, "Product": product}
    texts = {name: default if default is not None else nested[name]() for name, default in shape.items()}
    return "{" + ",".join(f'"{name}":{values.get(name, text)}' for name, text in texts.items()) + "}"


def customer(**values: str) -> str:
    return json_net(JMACUSTOMER, **values)


def address(**values: str) -> str:
    return json_net(JMAADDRESS, **values)


def product(**values: str) -> str:
    return json_net(JMAPRODUCT, **values)


def order(**values: str) -> str:
    return json_net(JMAORDER, **values)


def jmauser(orders: list[str]) -> str:
    return (
        '{"CancelledOrders":[],"Customers":null,"InventoryAdjustments":null,"Orders":[' + ",".join(orders) + "],"
        '"Payments":[],"ProductsFromQBToUpdate":[],"ProductsToQB":[],"Purchases":[]}'
    )


def sale(
    number: str,
    *,
    sku: str = "MUG-BLUE",
    quantity: str = "2.0",
    price: str = "40.0",
    total: str = "90.0",
    **values: str,
) -> str:
    """A JMAOrder of one line and 10.00 shipping, balanced when ``total`` is quantity × price + 10; ``values``
    (JSON text) set any other property."""
    line = json_net(
        JMAORDERDETAIL, Sku=f'"{sku}"', Name='"Blue mug"', Quantity=quantity, PriceExclTax=price,
        PriceInclTax=price, Product=product(Sku=f'"{sku}"', Name='"Blue mug"', Amount=price),
    )  # fmt: skip
    fields = {
        "OrderNumber": f'"{number}"', "OrderStatus": '"Shipped"', "StoreName": '"Web"', "Total": total,
        "TotalInclTax": total, "ShippingExclTax": "10.0", "ShippingInclTax": "10.0", "CurrencyCode": '"USD"',
        "CreationDate": '"2024-05-01T21:30:05"', "ModifiedDate": '"/Date(1714613405000)/"',
        "OrderDetails": "[" + line + "]",
        "BillingAddress": address(FirstName='"Zoë"', LastName='"Ångström"', Address1='"12 Beacon Street"',
                                  City='"Boston"', RegionName='"MA"', PostalCode='"02108"',
                                  CountryName='"United States"', TwoLetterIsoCode='"US"', Email='"zoe@example.com"'),
        "Customer": customer(Email='"zoe@example.com"'),
    }  # fmt: skip
    return order(**{**fields, **values})
