// The import wizard's own strings (English), merged over src/locales/en.js.
export default {
  imports: {
    productTitle: 'Import products',
    productPage: 'Add products to the catalogue from a CSV or Excel file: map the columns, check every row, then import.',
    backToProducts: 'Back to products',
    seeProducts: 'See the products',
    productTargets: {
      code: 'Code',
      name: 'Name',
      unit: 'Unit of sale',
      list_price: 'List price',
      category: 'Category',
      conductor: 'Conductor',
      insulation: 'Insulation',
      thickness_mm: 'Thickness (mm)',
      width_mm: 'Width (mm)',
      packages: 'Packaging',
      standard_cost: 'Standard cost',
      tax_rate: 'Tax rate',
      active: 'Active',
    },
    targets: {
      contact_name: 'Contact: name',
      contact_title: 'Contact: title',
      contact_mobile: 'Contact: mobile',
      contact_email: 'Contact: e-mail',
    },
    unknownLabel: 'Values not in the dictionary:',
    choices: {
      refuse: 'Refuse the row',
      empty: 'Leave the field empty',
      add: 'Add to the dictionary',
    },
    unknownTitle: 'Values not in the dictionaries',
    unknownWhat: {
      refuse: '{n} rows · refused',
      empty: '{n} rows · left empty',
      add: '{n} rows · add to the dictionary',
    },
  },
}
