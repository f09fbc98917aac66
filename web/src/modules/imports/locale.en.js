// The import wizard's own strings (English), merged over src/locales/en.js.
export default {
  imports: {
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
